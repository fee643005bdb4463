/**
 * The real stack for the browser tests: the API (+ worker) on the embedded database in a fresh
 * temp folder, the production build of the dashboard (`next build` + `next start`), and Debian's
 * Chromium driven by playwright-core. Every process is started here and stopped in `stop()`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const WEB_DIR = join(REPO_ROOT, 'apps/web');
export const SCREENSHOTS = join(REPO_ROOT, 'test/e2e/screenshots');
const BIN = join(REPO_ROOT, 'node_modules/.bin');

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

export interface Stack {
  apiUrl: string;
  webUrl: string;
  adminKey: string;
  browser: Browser;
  stop(): Promise<void>;
}

function log(message: string): void {
  console.log(`[e2e ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves with the first regex match on the child's stdout, or rejects on exit or timeout. */
function waitForOutput(child: ChildProcess, pattern: RegExp, ms: number, what: string) {
  return new Promise<RegExpMatchArray>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(
      () => reject(new Error(`${what} not ready after ${ms} ms:\n${text}`)),
      ms,
    );
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const match = pattern.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}):\n${text}`));
    });
  });
}

async function stopChild(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // The child leads its own process group (detached): signal the group so npx/tsx wrappers go too.
  process.kill(-child.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  }, 10_000);
  await exited;
  clearTimeout(timer);
}

/** The embedded database: no DATABASE_URL, whatever the caller's shell has. */
function withoutDatabaseUrl(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  delete copy.DATABASE_URL;
  return copy;
}

export function ensureChromium(): void {
  const result = spawnSync('bash', [join(REPO_ROOT, 'scripts/ensure-chromium.sh')], {
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error('scripts/ensure-chromium.sh failed');
}

/** `next build` unless CONCORD_E2E_SKIP_BUILD=1 (reuse the last build while iterating). */
export async function buildWeb(): Promise<void> {
  if (process.env.CONCORD_E2E_SKIP_BUILD === '1') return;
  log('next build');
  const started = Date.now();
  const build = spawn(join(BIN, 'next'), ['build'], {
    cwd: WEB_DIR,
    stdio: 'inherit',
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  });
  const code = await new Promise<number | null>((resolve) => build.once('exit', resolve));
  if (code !== 0) throw new Error(`next build failed (${code})`);
  // Next writes next-env.d.ts on every build, unformatted; the root `prettier --check .` (which
  // does not read apps/web/.gitignore) would flag it. Nothing here needs it (src/css.d.ts).
  rmSync(join(WEB_DIR, 'next-env.d.ts'), { force: true });
  log(`next build done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

export async function startStack(): Promise<Stack> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  ensureChromium();
  const dataDir = mkdtempSync(join(tmpdir(), 'concord-e2e-'));
  let api: ChildProcess | null = null;
  let web: ChildProcess | null = null;
  let browser: Browser | null = null;
  const stop = async () => {
    await browser?.close().catch(() => undefined);
    await stopChild(web);
    await stopChild(api);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    log('starting the API on an embedded database (while the dashboard builds)');
    api = spawn(join(BIN, 'tsx'), ['src/main.ts'], {
      cwd: join(REPO_ROOT, 'apps/api'),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...withoutDatabaseUrl(process.env),
        CONCORD_DATA_DIR: dataDir,
        HOST: '127.0.0.1',
        PORT: '0',
        NODE_ENV: 'test',
        JOB_POLL_SECONDS: '0.5',
        JOB_MAINTENANCE_SECONDS: '1',
        // The tests seed their own dataset; the demo corpus would be a second dataset training
        // beside it on the same two cores.
        DEMO_CORPUS: 'off',
      },
    });
    if (process.env.CONCORD_E2E_LOG) api.stderr?.pipe(process.stderr);
    // main.ts prints (first start only) the admin key, then the URL; matched in either order.
    const apiReady = waitForOutput(
      api,
      /^(?=[\s\S]*ready at (http:\/\/\S+))(?=[\s\S]*(ck_[0-9a-f]{12}_[A-Za-z0-9_-]{43}))/,
      300_000,
      'the API',
    );
    const [ready] = await Promise.all([apiReady, buildWeb()]);
    const apiUrl = ready[1]!;
    const adminKey = ready[2]!;
    log(`API at ${apiUrl}`);
    const port = await freePort();
    web = spawn(join(BIN, 'next'), ['start', '--port', String(port), '--hostname', '127.0.0.1'], {
      cwd: WEB_DIR,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        CONCORD_API_URL: new URL('graphql', apiUrl).toString(),
        NEXT_TELEMETRY_DISABLED: '1',
      },
    });
    await waitForOutput(web, /Ready in|ready/i, 120_000, 'next start');
    const webUrl = `http://127.0.0.1:${port}`;
    log(`dashboard at ${webUrl}`);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
    });
    return { apiUrl, webUrl, adminKey, browser, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** GraphQL over HTTP straight to the API, for seeding and checks. */
export async function gql<T>(
  apiUrl: string,
  key: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const response = await fetch(new URL('graphql', apiUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
  return body.data!;
}
