/**
 * The browser tests run as if offline: every request a guarded context makes (documents, scripts,
 * styles, fonts, images, fetch/XHR, WebSockets) to anything but this machine is aborted and
 * recorded, so a test fails when the dashboard, or the API's landing page, reaches outside.
 */
import type { BrowserContext } from 'playwright-core';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** This machine, or content that involves no server (data:, blob:). */
function isLocal(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === 'data:' || protocol === 'blob:' || LOCAL_HOSTS.has(hostname);
}

/** The refused requests of every guarded context, in order: `<method> <url> (<type>)`. */
export const outsideRequests: string[] = [];

/**
 * Aborts and records every non-local request of `context`. (Routing turns off the HTTP cache of
 * the context: pages fetch their files anew on each load, as in a fresh tab.)
 */
export async function refuseOutsideRequests(context: BrowserContext): Promise<void> {
  await context.route(
    (url) => !isLocal(url.href),
    async (route) => {
      const request = route.request();
      outsideRequests.push(`${request.method()} ${request.url()} (${request.resourceType()})`);
      await route.abort('blockedbyclient');
    },
  );
  await context.routeWebSocket(
    (url) => !isLocal(url.href),
    async (socket) => {
      outsideRequests.push(`WebSocket ${socket.url()}`);
      await socket.close({ code: 1008, reason: 'outside this machine' });
    },
  );
}
