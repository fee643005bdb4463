/**
 * CORS for browser apps on other origins: only the origins in `CORS_ORIGINS` get
 * `Access-Control-Allow-Origin` (echoed, with `Vary: Origin`); everything else gets no CORS
 * headers, so browsers keep the same-origin policy. No credentials: callers send an API key in
 * `Authorization`, never cookies. Preflights are answered here, before auth and Apollo.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

const ALLOWED_METHODS = 'GET, POST, OPTIONS';
const ALLOWED_HEADERS =
  'authorization, content-type, x-api-key, apollo-require-preflight, x-apollo-operation-name';
const MAX_AGE_SECONDS = 600;

/** Sets the CORS headers; returns true when the request was a preflight and is answered. */
export function applyCors(
  allowed: readonly string[],
  req: IncomingMessage,
  res: ServerResponse,
): boolean {
  const origin = req.headers.origin;
  res.setHeader('vary', 'Origin');
  const ok = origin !== undefined && (allowed.includes(origin) || allowed.includes('*'));
  if (ok) {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('access-control-expose-headers', 'content-type');
  }
  if (req.method !== 'OPTIONS') return false;
  if (ok) {
    res.setHeader('access-control-allow-methods', ALLOWED_METHODS);
    res.setHeader('access-control-allow-headers', ALLOWED_HEADERS);
    res.setHeader('access-control-max-age', String(MAX_AGE_SECONDS));
  }
  res.statusCode = 204;
  res.end();
  return true;
}

/** Parses `CORS_ORIGINS`: comma-separated origins (scheme://host[:port]) or `*`. */
export function parseOrigins(value: string): string[] {
  const origins = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const origin of origins) {
    if (origin === '*') continue;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      throw new Error(`CORS_ORIGINS: ${origin} is not an origin (scheme://host[:port]).`);
    }
    if (url.origin !== origin)
      throw new Error(`CORS_ORIGINS: ${origin} is not an origin; did you mean ${url.origin}?`);
  }
  return origins;
}
