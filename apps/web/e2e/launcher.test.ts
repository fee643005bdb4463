/**
 * `npm start` (scripts/start.ts) as processes and HTTP: it starts the API + worker and the
 * dashboard on an embedded database, the printed admin key signs in through the dashboard's
 * `/api/graphql` and its sign-in page (Chromium), SIGTERM stops both children cleanly, the data folder starts again without a new
 * key, and either child dying takes the other down with it and a non-zero exit. Also the rule
 * that decides when `npm start` rebuilds the dashboard, on a fixture app.
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { staleReason, writeStamp } from '../scripts/build.ts';
import { freePort, isAlive, launchPlatform, type Platform } from './support/platform.ts';
import { CHROMIUM_ARGS, echo, ensureChromium, START_TIMEOUT, TEST_ENV } from './support/stack.ts';

async function myRole(webUrl: string, key: string): Promise<unknown> {
  const response = await fetch(`${webUrl}/api/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query: '{ me { role } }' }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { data?: { me?: { role?: string } } }).data?.me?.role;
}

describe('npm start: the API and the dashboard from one command', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'concord-launcher-'));
  const started: Platform[] = [];
  const start = async () => {
    // NODE_ENV=production, as a deployment runs: Apollo Server's own signal handling is active
    // there (not under NODE_ENV=test), so a clean SIGTERM exit is checked where it can fail.
    const env = { ...TEST_ENV, NODE_ENV: 'production' };
    const platform = launchPlatform({ dataDir, webPort: await freePort(), env, echo });
    started.push(platform);
    return platform;
  };
  let adminKey = '';

  afterAll(async () => {
    for (const platform of started) {
      await platform.stop();
      platform.kill();
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the dashboard against its API and stops both on SIGTERM', async () => {
    const platform = await start();
    const ready = await platform.ready(START_TIMEOUT);
    expect(ready.adminKey).toMatch(/^ck_/);
    adminKey = ready.adminKey!;
    expect(ready.webUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    expect(await myRole(ready.webUrl, adminKey)).toBe('ADMIN');
    // The sign-in page in Chromium, with the key the launcher printed.
    ensureChromium();
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
    });
    try {
      const page = await browser.newPage();
      await page.goto(`${ready.webUrl}/sign-in`);
      await page.getByLabel('API key').fill(adminKey);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/search/, { timeout: 30_000 });
      expect(await page.getByTestId('role').textContent()).toBe('admin');
    } finally {
      await browser.close();
    }

    const exit = await platform.stop();
    expect(exit).toEqual({ code: 0, signal: null });
    // The API shut down through its own SIGTERM handler (database closed), next start exits 143.
    expect(platform.output()).toMatch(
      /\[concord\] stopped \(API exit code 0, dashboard exit code (0|143)\)/,
    );
    expect(isAlive(ready.apiPid)).toBe(false);
    expect(isAlive(ready.webPid)).toBe(false);
  });

  it('starts again on the same data, and stops the API with a non-zero exit when the dashboard dies', async () => {
    expect(adminKey).not.toBe('');
    const platform = await start();
    const ready = await platform.ready(START_TIMEOUT);
    expect(ready.adminKey).toBeNull();
    expect(platform.output()).not.toContain('First start');
    expect(platform.output()).toContain('dashboard build is up to date');
    expect(await myRole(ready.webUrl, adminKey)).toBe('ADMIN');

    process.kill(ready.webPid, 'SIGKILL');
    const exit = await platform.exited;
    expect(exit.code).toBe(1);
    expect(platform.output()).toContain(
      '[concord] the dashboard exited unexpectedly (signal SIGKILL); stopping',
    );
    expect(platform.output()).toContain('[concord] stopped (API exit code 0)');
    expect(isAlive(ready.apiPid)).toBe(false);
  });

  it('stops the dashboard with a non-zero exit when the API dies', async () => {
    const platform = await start();
    const ready = await platform.ready(START_TIMEOUT);
    process.kill(ready.apiPid, 'SIGKILL');
    const exit = await platform.exited;
    expect(exit.code).toBe(1);
    expect(platform.output()).toContain(
      '[concord] the API exited unexpectedly (signal SIGKILL); stopping',
    );
    expect(platform.output()).toMatch(/\[concord\] stopped \(dashboard exit code (0|143)\)/);
    expect(isAlive(ready.webPid)).toBe(false);
  });
});

describe('when npm start rebuilds the dashboard (scripts/build.ts --if-stale)', () => {
  const root = mkdtempSync(join(tmpdir(), 'concord-build-rule-'));
  const web = join(root, 'apps/web');
  const write = (path: string, text: string) => {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text);
  };
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('rebuilds when what the build was made from changed, not when only mtimes did', () => {
    write(join(web, 'src/app/page.tsx'), 'export default function Page() { return null; }\n');
    write(join(web, 'package.json'), '{ "name": "fixture" }\n');
    write(join(web, 'next.config.ts'), 'export default {};\n');
    write(join(web, 'tsconfig.json'), '{}\n');
    write(join(root, 'package-lock.json'), '{ "lockfileVersion": 3 }\n');
    expect(staleReason(web)).toBe('no build yet');
    write(join(web, '.next/BUILD_ID'), 'first');
    expect(staleReason(web)).toBe('the build has no stamp');
    writeStamp(web);
    expect(staleReason(web)).toBeNull();

    const later = new Date(Date.now() + 60_000);
    utimesSync(join(web, 'src/app/page.tsx'), later, later);
    expect(staleReason(web)).toBeNull();

    write(join(web, 'src/app/page.tsx'), 'export default function Page() { return 1; }\n');
    expect(staleReason(web)).toBe('sources or dependencies changed');
    write(join(web, 'src/app/page.tsx'), 'export default function Page() { return null; }\n');
    expect(staleReason(web)).toBeNull();

    write(join(web, 'src/app/new/page.tsx'), 'export default function New() { return null; }\n');
    expect(staleReason(web)).toBe('sources or dependencies changed');
    rmSync(join(web, 'src/app/new'), { recursive: true });
    expect(staleReason(web)).toBeNull();

    write(join(root, 'package-lock.json'), '{ "lockfileVersion": 3, "next": "16.5.0" }\n');
    expect(staleReason(web)).toBe('sources or dependencies changed');
    writeStamp(web);
    expect(staleReason(web)).toBeNull();

    write(join(web, '.next/BUILD_ID'), 'second');
    expect(staleReason(web)).toBe('the build was replaced since it was stamped');
  });
});
