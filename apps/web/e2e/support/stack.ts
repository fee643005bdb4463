/**
 * The real stack for the browser tests, started the way the README starts it: the root
 * `npm start` command (scripts/start.ts: the API + worker on the embedded database in a fresh
 * temp folder, and the production build of the dashboard, built first when stale), then Debian's
 * Chromium driven by playwright-core. Everything is started here and stopped in `stop()`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { freePort, launchPlatform, type Platform } from './platform.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const WEB_DIR = join(REPO_ROOT, 'apps/web');
export const SCREENSHOTS = join(REPO_ROOT, 'test/e2e/screenshots');

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

/**
 * Fast job polling for the tests; no demo corpus (the tests seed their own dataset). The launcher
 * test overrides NODE_ENV with production, where Apollo Server would install its own signal
 * handlers (the API turns them off: main.ts shuts down).
 */
export const TEST_ENV = {
  NODE_ENV: 'test',
  JOB_POLL_SECONDS: '0.5',
  JOB_MAINTENANCE_SECONDS: '1',
  DEMO_CORPUS: 'off',
};
/** A first start may build the dashboard (about 10-20 s here, minutes on a loaded machine). */
export const START_TIMEOUT = 540_000;

export interface Stack {
  apiUrl: string;
  webUrl: string;
  adminKey: string;
  browser: Browser;
  stop(): Promise<void>;
}

export function log(message: string): void {
  console.log(`[e2e ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

/** The launcher's own lines always (building, ready, stopped); everything with CONCORD_E2E_LOG. */
export function echo(line: string): void {
  if (process.env.CONCORD_E2E_LOG || line.startsWith('[concord]')) log(line);
}

export function ensureChromium(): void {
  const result = spawnSync('bash', [join(REPO_ROOT, 'scripts/ensure-chromium.sh')], {
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error('scripts/ensure-chromium.sh failed');
}

export async function startStack(): Promise<Stack> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  ensureChromium();
  const dataDir = mkdtempSync(join(tmpdir(), 'concord-e2e-'));
  let platform: Platform | null = null;
  let browser: Browser | null = null;
  const stop = async () => {
    await browser?.close().catch(() => undefined);
    await platform?.stop();
    platform?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    log('npm start (the API and the dashboard, built first when stale)');
    platform = launchPlatform({ dataDir, webPort: await freePort(), env: TEST_ENV, echo });
    const ready = await platform.ready(START_TIMEOUT);
    if (!ready.adminKey) throw new Error(`no admin key printed:\n${platform.output()}`);
    log(`API at ${ready.apiUrl}, dashboard at ${ready.webUrl}`);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
    });
    return { apiUrl: ready.apiUrl, webUrl: ready.webUrl, adminKey: ready.adminKey, browser, stop };
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
