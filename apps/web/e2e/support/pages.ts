/**
 * Browser helpers: contexts signed in with a key (and refusing every request outside this
 * machine), screenshots, JS bytes per route.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { refuseOutsideRequests } from './offline.ts';
import { SCREENSHOTS, WEB_DIR } from './stack.ts';

export const LAPTOP = { width: 1366, height: 900 };
export const PHONE = { width: 390, height: 844 };

/**
 * A context whose tabs start signed in with `key` (sessionStorage, as the sign-in page does), and
 * whose requests outside this machine are refused and recorded (`outsideRequests`).
 */
export async function signedInContext(
  browser: Browser,
  baseURL: string,
  key: string | null,
  viewport = LAPTOP,
): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL, viewport });
  await refuseOutsideRequests(context);
  if (key) {
    await context.addInitScript((k) => window.sessionStorage.setItem('concord.apiKey', k), key);
  }
  context.setDefaultTimeout(30_000);
  return context;
}

export async function shot(page: Page, name: string): Promise<void> {
  // Park the pointer so no chart tooltip covers the picture.
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

export interface RouteJs {
  route: string;
  /** Scripts fetched by the `load` event (the page's own chunks). */
  files: number;
  rawBytes: number;
  gzipBytes: number;
  /** Everything fetched once the network is idle (adds lazily loaded chunks, e.g. charts). */
  totalFiles: number;
  totalRawBytes: number;
  totalGzipBytes: number;
}

function sizes(files: Iterable<string>): { raw: number; gzip: number } {
  let raw = 0;
  let gzip = 0;
  for (const file of files) {
    const bytes = readFileSync(join(WEB_DIR, '.next/static', file.slice('/_next/static/'.length)));
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  return { raw, gzip };
}

/**
 * The JavaScript a full load of `path` fetches from the production build (`.next/static`), raw
 * and gzip-compressed, in a fresh context (nothing cached): by the `load` event, and in total.
 */
export async function measureRouteJs(
  browser: Browser,
  baseURL: string,
  key: string,
  route: string,
  path: string,
): Promise<RouteJs> {
  const context = await signedInContext(browser, baseURL, key);
  const page = await context.newPage();
  const files = new Set<string>();
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (url.pathname.startsWith('/_next/static/') && url.pathname.endsWith('.js')) {
      files.add(url.pathname);
    }
  });
  await page.goto(path, { waitUntil: 'load' });
  const initial = [...files];
  await page.waitForLoadState('networkidle', { timeout: 15_000 }).catch(() => undefined);
  await context.close();
  const first = sizes(initial);
  const all = sizes(files);
  return {
    route,
    files: initial.length,
    rawBytes: first.raw,
    gzipBytes: first.gzip,
    totalFiles: files.size,
    totalRawBytes: all.raw,
    totalGzipBytes: all.gzip,
  };
}
