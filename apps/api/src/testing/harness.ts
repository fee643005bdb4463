import { request } from 'node:http';
/**
 * Test support: the whole app (API + worker) on a fresh database of either mode, listening on
 * port 0, and a small GraphQL-over-HTTP client.
 */
import { openDatabase } from '@concord/db';
import { createServerDatabase, type TestDatabaseMode } from '@concord/db/testing';
import { startApp, type RunningApp } from '../app.ts';
import { parseEnv } from '../env.ts';
import { consoleLogger, silentLogger } from '../logger.ts';

export interface TestApp {
  app: RunningApp;
  url: string;
  adminKey: string;
  /** PostgreSQL URL of the test database (postgres mode), for extra processes. */
  databaseUrl: string | null;
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    key?: string | null,
  ): Promise<GqlResponse<T>>;
  close(): Promise<void>;
}

export interface GqlResponse<T> {
  status: number;
  data: T;
  errors?: { message: string; extensions?: { code?: string; field?: string[] } }[];
}

export const TEST_ENV: Record<string, string> = {
  NODE_ENV: 'test',
  PORT: '0',
  HOST: '127.0.0.1',
  JOB_POLL_SECONDS: '0.5',
  JOB_MAINTENANCE_SECONDS: '1',
  MAX_UPLOAD_BYTES: String(2 * 1024 * 1024),
};

export async function startTestApp(
  mode: TestDatabaseMode,
  env: Record<string, string> = {},
): Promise<TestApp> {
  const created = mode.name === 'postgres' ? await createServerDatabase() : null;
  const db = await openDatabase(
    created
      ? { mode: 'server', url: created.url, poolSize: 6 }
      : { mode: 'embedded', dataDir: null },
  );
  const log = process.env.CONCORD_TEST_LOG ? consoleLogger : silentLogger;
  const app = await startApp(parseEnv({ ...TEST_ENV, ...env }), log, {
    db,
    serverUrl: created?.url ?? null,
  });
  const url = app.url!;
  const adminKey = app.adminKey!;
  return {
    app,
    url,
    adminKey,
    databaseUrl: created?.url ?? null,
    gql: (query, variables, key = adminKey) => gql(url, query, variables, key),
    async close() {
      await app.stop();
      await db.close();
      await created?.drop();
    },
  };
}

export async function gql<T>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  key: string | null = null,
): Promise<GqlResponse<T>> {
  // node:http without keep-alive: a pooled socket the server closes as idle would surface as a
  // spurious ECONNRESET in long polling loops.
  const body = JSON.stringify({ query, variables });
  const { status, text } = await new Promise<{ status: number; text: string }>(
    (resolve, reject) => {
      const req = request(
        url,
        {
          method: 'POST',
          agent: false,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            ...(key ? { authorization: `Bearer ${key}` } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    },
  );
  const parsed = JSON.parse(text) as { data: T; errors?: GqlResponse<T>['errors'] };
  return { status, data: parsed.data, ...(parsed.errors ? { errors: parsed.errors } : {}) };
}

/** Polls until `check` returns a value (not undefined) or the time is up. */
export async function waitFor<T>(
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
