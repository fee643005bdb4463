/**
 * Runs every `sh` block of docs/graphql.md, in order, against a live server (embedded mode); and
 * the API's landing page, what a browser opening the endpoint gets: served by the API itself,
 * naming no other server, its example command runs — in development and production alike.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TEST_DATABASE_MODES } from '@concord/db/testing';
import { loadEmojiCorpus } from '@concord/features';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from './server.ts';
import { startTestApp, type TestApp } from './testing/harness.ts';

const run = promisify(execFile);
const DASHBOARD_URL = 'http://127.0.0.1:3000/';
/** What Chromium sends when it opens a URL. */
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Every URL the page names or would fetch that is not this machine's (or relative). */
function outsideUrls(html: string): string[] {
  const refs = [
    ...html.matchAll(/\b(?:src|href|action|srcset|data)\s*=\s*["']?([^"'\s>]+)/gi),
    ...html.matchAll(/url\(\s*["']?([^"')\s]+)/gi),
    ...html.matchAll(/@import\s+["']([^"']+)/gi),
    ...html.matchAll(/((?:https?:)?\/\/[^\s"'<>)]+)/gi),
  ].map((m) => m[1]!);
  const outside = refs.filter((ref) => {
    if (!/^([a-z][a-z0-9+.-]*:|\/\/)/i.test(ref)) return false; // relative: this server
    if (/^(mailto|data):/i.test(ref)) return false;
    const url = new URL(ref, 'http://127.0.0.1/');
    return !/^https?:$/.test(url.protocol) || !LOCAL_HOSTS.has(url.hostname);
  });
  return [...new Set(outside)];
}

const unescapeHtml = (text: string) =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

describe('docs/graphql.md', () => {
  let t: TestApp;
  let dir = '';
  beforeAll(async () => {
    t = await startTestApp(TEST_DATABASE_MODES[0]!, { RUN_WORKER: 'false', DASHBOARD_URL });
    dir = await mkdtemp(join(tmpdir(), 'concord-docs-'));
  });
  afterAll(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('every command in it runs and gets a GraphQL answer', async () => {
    const doc = await readFile(new URL('../docs/graphql.md', import.meta.url), 'utf8');
    const blocks = [...doc.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    const env = {
      ...process.env,
      CONCORD_URL: t.url,
      CONCORD_KEY: t.adminKey,
      EXAMPLE_PNG: loadEmojiCorpus().find((r) => r.label === 'Flags')!.imagePath,
    };
    for (const block of blocks) {
      const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', block], { cwd: dir, env });
      const answer = JSON.parse(stdout.trim().split('\n').at(-1)!) as { data?: unknown };
      expect([block.slice(0, 60), answer.data]).not.toEqual([block.slice(0, 60), undefined]);
    }
    const items = await t.gql<{ items: { totalCount: number } }>(
      `query($id: ID!) { items(datasetId: $id) { totalCount } }`,
      { id: (await readFile(join(dir, 'dataset-id'), 'utf8')).trim() },
    );
    // The keyless text and image of the JSON call (the multipart upload is the same keyless PNG: a
    // duplicate), then an image and a text under keys, one record: the PNG again is a new item.
    expect(items.data.items.totalCount).toBe(4);
  });

  it("a browser opening the endpoint gets the API's own page: nothing from outside, a command that runs", async () => {
    const landing = async (url: string) => {
      const response = await fetch(url, { headers: { accept: BROWSER_ACCEPT } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      return response.text();
    };
    const html = await landing(new URL('graphql', t.url).toString());
    expect(await landing(t.url)).toBe(html);
    expect(html).toContain('<title>Concord API</title>');
    expect(html).toContain(`POST ${t.url}graphql`);
    expect(html).toContain('Authorization: Bearer');
    expect(html).toContain(`<a href="${DASHBOARD_URL}">`);
    // Not Apollo's Sandbox: no script, stylesheet, image or frame at all, and the browser is told
    // to fetch nothing (inline CSS only).
    expect(html).not.toMatch(/<(script|link|img|iframe|object|embed)\b|apollographql|googleapis/i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'`);
    expect(outsideUrls(html)).toEqual([]);
    // The check itself sees outside references in every form a page could hold them.
    expect(
      outsideUrls(
        `<script src="https://cdn.example/a.js"></script><link href=//fonts.example/x>` +
          `<style>@import 'https://x.example/y.css'; b { background: url(http://img.example/p.png) }</style>` +
          `<a href="/health">ok</a><a href="http://localhost:3000/">ok</a>`,
      ),
    ).toEqual([
      'https://cdn.example/a.js',
      '//fonts.example/x',
      'http://img.example/p.png',
      'https://x.example/y.css',
    ]);

    // Its example is a GraphQL POST that works, as printed, with the key in CONCORD_KEY.
    const example = unescapeHtml(/<pre>([\s\S]*?)<\/pre>/.exec(html)![1]!);
    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', example], {
      env: { ...process.env, CONCORD_KEY: t.adminKey },
    });
    const answer = JSON.parse(stdout) as {
      data?: { me: { role: string }; datasets: { totalCount: number } };
      errors?: unknown;
    };
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.me.role).toBe('ADMIN');
    expect(answer.data?.datasets.totalCount).toBeTypeOf('number');

    // Production has the same page (Apollo's default there would be its CDN-loaded one).
    const deps = t.app.deps;
    const production = createServer({ ...deps, env: { ...deps.env, NODE_ENV: 'production' } });
    try {
      const url = await production.listen(0);
      const page = await landing(`${url}graphql`);
      const here = (u: string) => new URL(u).host;
      expect(page.replaceAll(here(url), here(t.url))).toBe(
        html.replace(/ Introspection is on[^<]*/, ''),
      );
    } finally {
      await production.stop();
    }
  });
});
