/**
 * `npm start` (scripts/start.ts) as processes and HTTP: it starts the API + worker and the
 * dashboard on an embedded database, the printed admin key signs in through the dashboard's
 * `/api/graphql` and its sign-in page (Chromium), SIGTERM stops both children cleanly, the data folder starts again without a new
 * key, and a dashboard that dies takes the API down with it and a non-zero exit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
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
    const platform = launchPlatform({ dataDir, webPort: await freePort(), env: TEST_ENV, echo });
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
});
