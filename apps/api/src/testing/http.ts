/**
 * Test support shared by the API's own tests and the whole-process tests in `test/integration`
 * (export `@concord/api/testing`): one HTTP request without keep-alive, a GraphQL client over it,
 * and polling.
 */
import { request } from 'node:http';

export interface RawResponse {
  status: number;
  text: string;
  /** The body parsed as JSON, or null when it is not JSON. */
  json: unknown;
}

export interface GqlError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; errorId?: string; field?: string[] };
}

export interface GqlResponse<T = Record<string, unknown>> {
  status: number;
  data: T;
  errors?: GqlError[];
  /** The raw body, for tests that look at what was sent back. */
  text: string;
}

/**
 * One HTTP request without keep-alive: a pooled socket that the server closes as idle would
 * surface as a spurious ECONNRESET in long polling loops.
 */
export function post(
  url: string,
  body: string | Buffer,
  headers: Record<string, string>,
  method = 'POST',
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        agent: false,
        headers: {
          ...headers,
          ...(method === 'POST' ? { 'content-length': Buffer.byteLength(body) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown = null;
          try {
            json = JSON.parse(text);
          } catch {
            json = null;
          }
          resolve({ status: res.statusCode ?? 0, text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(method === 'POST' ? body : undefined);
  });
}

export async function gql<T>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  key: string | null = null,
): Promise<GqlResponse<T>> {
  const r = await post(url, JSON.stringify({ query, variables }), {
    'content-type': 'application/json',
    ...(key ? { authorization: `Bearer ${key}` } : {}),
  });
  const parsed = r.json as { data: T; errors?: GqlError[] } | null;
  if (!parsed || typeof parsed !== 'object')
    throw new Error(`not a GraphQL answer (${r.status}): ${r.text.slice(0, 300)}`);
  return {
    status: r.status,
    data: parsed.data,
    text: r.text,
    ...(parsed.errors ? { errors: parsed.errors } : {}),
  };
}

export interface WaitForOptions {
  intervalMs?: number;
  /** Treat a throwing check as "not yet" (a process being restarted refuses connections). */
  retryErrors?: boolean;
}

/** Polls until `check` returns a value (not undefined) or the time is up. */
export async function waitFor<T>(
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
  { intervalMs = 250, retryErrors = false }: WaitForOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await (retryErrors ? check().catch(() => undefined) : check());
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
