/**
 * The API's own landing page: what a browser gets when it opens the endpoint (Apollo serves it on
 * a GET that prefers text/html). It replaces Apollo's default, the embedded Sandbox, which loads
 * its scripts and fonts from Apollo's and Google's CDNs and so was the one thing the platform
 * downloaded (and a blank page offline). This page is plain HTML with inline CSS, names no other
 * server, and its Content-Security-Policy has the browser refuse any fetch at all.
 */
import type { ApolloServerPlugin } from '@apollo/server';

export interface LandingPageOptions {
  /** The URL the server listens on (`http://host:port/`), once it does. */
  listeningUrl: () => string | null;
  /** The dashboard's address (DASHBOARD_URL), linked when known. */
  dashboardUrl: string | null;
  /** Served as an Apollo Federation 2 subgraph (FEDERATION_SUBGRAPH). */
  federation: boolean;
  /** Introspection is on outside production (Apollo's default). */
  introspection: boolean;
}

/** Installed in every NODE_ENV: with it, Apollo installs neither of its default landing pages. */
export function landingPagePlugin(options: LandingPageOptions): ApolloServerPlugin {
  return {
    serverWillStart: () =>
      Promise.resolve({
        renderLandingPage: () =>
          Promise.resolve({
            // Rendered per request: the port is known only once the server listens.
            html: () => Promise.resolve(renderLandingPage(options)),
          }),
      }),
  };
}

const escape = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** The GraphQL endpoint under the listening URL; a wildcard host is reached as this host. */
export function endpointOf(listeningUrl: string | null): string {
  if (!listeningUrl) return '/graphql';
  const url = new URL('graphql', listeningUrl);
  if (url.hostname === '0.0.0.0' || url.hostname === '[::]') url.hostname = '127.0.0.1';
  return url.toString();
}

const EXAMPLE_QUERY = '{ me { role label } datasets { totalCount edges { node { name } } } }';

export function renderLandingPage(options: LandingPageOptions): string {
  const endpoint = endpointOf(options.listeningUrl());
  const ws = endpoint.replace(/^http/, 'ws');
  const curl = [
    `curl -s ${endpoint} \\`,
    `  -H 'content-type: application/json' \\`,
    `  -H "authorization: Bearer $CONCORD_KEY" \\`,
    `  -d '${JSON.stringify({ query: EXAMPLE_QUERY })}'`,
  ].join('\n');
  const dashboard = options.dashboardUrl
    ? `<p>The dashboard (search, datasets, training, models, API keys) is at
    <a href="${escape(options.dashboardUrl)}">${escape(options.dashboardUrl)}</a>.</p>`
    : '';
  const schema = [
    'The schema is printed in <code>apps/api/schema.graphql</code> of the repository',
    options.federation
      ? ', served here as an Apollo Federation 2 subgraph (<code>apps/api/subgraph.graphql</code>)'
      : '',
    '; integrators start with <code>apps/api/docs/graphql.md</code>.',
    options.introspection ? ' Introspection is on (it is off in production).' : '',
  ].join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">
<title>Concord API</title>
<style>
  body { margin: 0; font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
    color: #1d2430; background: #f6f7f9; }
  main { max-width: 46rem; margin: 0 auto; padding: 2rem 1rem 3rem; }
  h1 { font-size: 1.5rem; margin: 0 0 0.25rem; }
  h2 { font-size: 1.1rem; margin: 1.75rem 0 0.5rem; }
  code, pre { font-family: ui-monospace, 'DejaVu Sans Mono', monospace; font-size: 0.85em; }
  code { background: #e9ecf1; padding: 0.1em 0.3em; border-radius: 3px; }
  pre { background: #1d2430; color: #eef1f5; padding: 0.75rem 1rem; border-radius: 6px;
    overflow-x: auto; }
  dt { font-weight: 600; margin-top: 0.5rem; }
  dd { margin: 0 0 0 1rem; overflow-wrap: anywhere; }
  a { color: #1f5fbf; }
  .lead { color: #4a5566; margin-top: 0; }
</style>
</head>
<body>
<main>
<h1>Concord API</h1>
<p class="lead">Enterprise cross-modal search over GraphQL. This page comes from the API itself;
nothing on it is fetched from another server.</p>
${dashboard}
<h2>Endpoint</h2>
<dl>
  <dt>GraphQL over HTTP</dt>
  <dd><code>POST ${escape(endpoint)}</code> (also <code>/</code>): JSON bodies, or multipart
  uploads with the <code>apollo-require-preflight: true</code> header.</dd>
  <dt>Subscriptions</dt>
  <dd><code>${escape(ws)}</code> (graphql-ws), the key in the connection parameters as
  <code>authorization</code>.</dd>
  <dt>Health</dt>
  <dd><a href="/health">/health</a>, no key needed.</dd>
</dl>
<h2>Authenticate</h2>
<p>Every request carries an API key: <code>Authorization: Bearer ck_&lt;prefix&gt;_&lt;secret&gt;</code>
(or an <code>x-api-key</code> header). The first start of an empty database prints an admin key
once. Admins create more keys with the <code>createApiKey</code> mutation or on the dashboard's
API keys page: <code>ADMIN</code>, <code>EDITOR</code> (ingest, train) or <code>VIEWER</code>
(read, search), optionally limited to some datasets. Only a SHA-256 of each key is stored, so a
key is shown once.</p>
<h2>Try it</h2>
<pre>${escape(curl)}</pre>
<h2>Schema</h2>
<p>${schema}</p>
</main>
</body>
</html>
`;
}
