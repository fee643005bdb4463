/**
 * Test support: the whole app (API + worker) on a fresh database of either mode, listening on
 * port 0, and a small GraphQL-over-HTTP client.
 */
import { openDatabase } from '@concord/db';
import { createServerDatabase, type TestDatabaseMode } from '@concord/db/testing';
import { startApp, type RunningApp } from '../app.ts';
import { parseEnv } from '../env.ts';
import { consoleLogger, silentLogger } from '../logger.ts';
import { gql, type GqlResponse } from './http.ts';

export { gql, waitFor, type GqlResponse } from './http.ts';

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
