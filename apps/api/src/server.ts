/**
 * The API as a factory: `createServer(deps)` builds Apollo Server over the schema, an HTTP server
 * (JSON, GET, and multipart uploads with Apollo's CSRF prevention) and graphql-ws subscriptions
 * on the same port. Tests and main.ts build it the same way; `listen(0)` picks a free port.
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap, type HTTPGraphQLRequest } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { processRequest } from 'graphql-upload-minimal';
import type { GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { authenticate } from './auth/principal.ts';
import { createContext, type AppDeps, type Context } from './context.ts';
import { applyCors } from './cors.ts';
import { AppError, ERROR_TABLE, formatError, toAppError } from './errors.ts';
import { landingPagePlugin } from './landing-page.ts';
import { complexityLimit } from './limits.ts';
import { buildSchema } from './schema/index.ts';
import { buildSubgraph } from './schema/subgraph.ts';

export interface ConcordServer {
  apollo: ApolloServer<Context>;
  listen(port: number, host?: string): Promise<string>;
  stop(): Promise<void>;
}

export function createServer(deps: AppDeps): ConcordServer {
  const schema = deps.env.FEDERATION_SUBGRAPH ? buildSubgraph() : buildSchema();
  let listeningUrl: string | null = null;
  const http = createHttpServer((req, res) => void handle(req, res));
  // Longer than common proxies' idle timeouts, so they (not we) close idle keep-alive sockets.
  http.keepAliveTimeout = 65_000;
  const wsServer = new WebSocketServer({ server: http, path: '/graphql' });
  const wsKey = (params: Record<string, unknown> | undefined) =>
    typeof params?.authorization === 'string' ? params.authorization : undefined;
  // The same error vocabulary as over HTTP: typed codes pass, unknown errors are masked and logged.
  const wsErrors = (errors: readonly GraphQLError[]) =>
    errors.map((e) => formatError(e.toJSON(), e, (message, err) => deps.log.error(message, err)));
  const wsCleanup = useServer(
    {
      schema,
      // A malformed, unknown or revoked key closes the socket with 4401 and the reason.
      onConnect: async (ctx) => {
        try {
          await authenticate(wsKey(ctx.connectionParams), deps.repos.apiKeys);
          return true;
        } catch (error) {
          const app = toAppError(error);
          if (!app) throw error;
          ctx.extra.socket.close(4401, app.message);
          return false;
        }
      },
      context: async (ctx) =>
        createContext(deps, await authenticate(wsKey(ctx.connectionParams), deps.repos.apiKeys)),
      onError: (_ctx, _id, _payload, errors) => wsErrors(errors),
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: wsErrors(result.errors) } : undefined,
    },
    wsServer,
  );
  const apollo = new ApolloServer<Context>({
    schema,
    csrfPrevention: true,
    // main.ts stops the app on SIGTERM/SIGINT (database closed last); Apollo's own handler would
    // re-raise the signal once Apollo has stopped and kill the process before that.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: deps.env.NODE_ENV !== 'production',
    validationRules: [complexityLimit(deps.env.MAX_QUERY_DEPTH, deps.env.MAX_QUERY_COST)],
    formatError: (formatted, error) =>
      formatError(formatted, error, (message, e) => deps.log.error(message, e)),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer: http }),
      // A browser opening the endpoint gets the API's own page, not Apollo's CDN-loaded Sandbox.
      landingPagePlugin({
        listeningUrl: () => listeningUrl,
        dashboardUrl: deps.env.DASHBOARD_URL ?? null,
        federation: deps.env.FEDERATION_SUBGRAPH,
        introspection: deps.env.NODE_ENV !== 'production',
      }),
      {
        serverWillStart: () =>
          Promise.resolve({
            drainServer: async () => {
              await wsCleanup.dispose();
            },
          }),
      },
    ],
  });
  const started = apollo.start();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await started;
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (applyCors(deps.env.CORS_ORIGINS, req, res)) return;
      if (url.pathname === '/health')
        return send(res, 200, { ok: true, databaseMode: deps.db.mode });
      if (url.pathname !== '/' && url.pathname !== '/graphql')
        return send(res, 404, { error: 'not found' });
      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      }
      let body: unknown = undefined;
      if (req.method === 'POST') {
        const type = headers.get('content-type') ?? '';
        if (type.startsWith('multipart/form-data')) {
          // Apollo's CSRF prevention runs on these headers: multipart needs a preflight header.
          if (!headers.get('apollo-require-preflight') && !headers.get('x-apollo-operation-name')) {
            return send(res, 400, {
              errors: [
                {
                  message:
                    'Multipart requests need the `apollo-require-preflight` header (CSRF prevention).',
                  extensions: { code: 'BAD_REQUEST' },
                },
              ],
            });
          }
          // graphql-upload-minimal destroys its multipart parser with an error after removing
          // its own listener, so a cut-off body ("Unexpected end of form") would be an uncaught
          // 'error' event that kills the process: give the parser a listener of its own.
          const pipe = req.pipe.bind(req);
          req.pipe = ((destination: NodeJS.WritableStream, options?: { end?: boolean }) => {
            destination.on('error', () => undefined);
            return pipe(destination, options);
          }) as typeof req.pipe;
          body = await processRequest(req, res, {
            maxFileSize: deps.env.MAX_UPLOAD_BYTES,
            maxFiles: Math.max(deps.env.MAX_INGEST_BATCH, deps.env.MAX_BULK_INGEST_ITEMS),
          }).catch((error: unknown) => {
            // busboy's parse errors (malformed or cut-off multipart) carry no status: the
            // request is at fault, not the server.
            if ((error as { status?: number }).status) throw error;
            throw Object.assign(
              new Error(`Malformed multipart request: ${(error as Error).message}`),
              {
                status: 400,
              },
            );
          });
          headers.set('content-type', 'application/json');
          headers.set('apollo-require-preflight', 'true');
        } else {
          body = await readJson(req, deps.env.MAX_REQUEST_BYTES);
        }
      }
      const principal = await authenticate(
        headers.get('authorization') ?? headers.get('x-api-key'),
        deps.repos.apiKeys,
      );
      const request: HTTPGraphQLRequest = {
        method: req.method ?? 'GET',
        headers,
        search: url.search,
        body,
      };
      const response = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: request,
        context: () => Promise.resolve(createContext(deps, principal)),
      });
      for (const [key, value] of response.headers) res.setHeader(key, value);
      res.statusCode = response.status ?? 200;
      if (response.body.kind === 'complete') {
        res.end(response.body.string);
      } else {
        for await (const chunk of response.body.asyncIterator) res.write(chunk);
        res.end();
      }
    } catch (error) {
      const app = toAppError(error);
      if (app) {
        return send(res, ERROR_TABLE[app.code].http, {
          errors: [{ message: app.message, extensions: { code: app.code } }],
        });
      }
      const status =
        (error as { status?: number; statusCode?: number }).status ??
        (error as { statusCode?: number }).statusCode;
      if (status && status >= 400 && status < 500) {
        const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST';
        return send(res, status, {
          errors: [{ message: (error as Error).message, extensions: { code } }],
        });
      }
      const errorId = crypto.randomUUID();
      deps.log.error(`internal error ${errorId}`, error);
      send(res, 500, {
        errors: [
          {
            message: `Internal server error (reference ${errorId}).`,
            extensions: { code: 'INTERNAL_SERVER_ERROR', errorId },
          },
        ],
      });
    }
  }

  return {
    apollo,
    async listen(port, host = '127.0.0.1') {
      await started;
      await new Promise<void>((resolve) => http.listen(port, host, resolve));
      const address = http.address() as AddressInfo;
      listeningUrl = `http://${host}:${address.port}/`;
      return listeningUrl;
    },
    async stop() {
      await apollo.stop();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit)
      throw new AppError('PAYLOAD_TOO_LARGE', `The request body is larger than ${limit} bytes.`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('BAD_USER_INPUT', 'The request body is not valid JSON.');
  }
}
