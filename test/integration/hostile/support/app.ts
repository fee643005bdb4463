/**
 * The whole app (API + worker) on a fresh database of either mode, listening on port 0, with
 * everything it logs captured — so hostile-input tests can assert both the answers and that no
 * secret or content reached the logs. Also: a raw HTTP client (any body, any headers) and a
 * snapshot of every table, to prove a refused call wrote nothing.
 */
import { parseEnv, startApp, type Logger, type RunningApp } from '@concord/api';
import { openDatabase, type Database } from '@concord/db';
import { createServerDatabase, type TestDatabaseMode } from '@concord/db/testing';
import { gql, post, type GqlResponse, type RawResponse } from '@concord/api/testing';

export {
  gql,
  post,
  waitFor,
  type GqlError,
  type GqlResponse,
  type RawResponse,
} from '@concord/api/testing';

/** Largest upload / base64 item, and largest decoded image, of the hostile apps. */
export const UPLOAD_LIMIT = 64 * 1024;
export const PIXEL_LIMIT = 1_000_000;

export const TEST_ENV: Record<string, string> = {
  NODE_ENV: 'test',
  PORT: '0',
  HOST: '127.0.0.1',
  JOB_POLL_SECONDS: '0.5',
  JOB_MAINTENANCE_SECONDS: '1',
  MAX_UPLOAD_BYTES: String(UPLOAD_LIMIT),
  MAX_IMAGE_PIXELS: String(PIXEL_LIMIT),
  MAX_REQUEST_BYTES: String(1024 * 1024),
  // No worker unless a test asks: queued runs stay queued, so nothing trains behind the checks.
  RUN_WORKER: 'false',
};

export interface HostileApp {
  app: RunningApp;
  db: Database;
  url: string;
  adminKey: string;
  /** The PostgreSQL URL (server mode), null for PGlite. */
  databaseUrl: string | null;
  /** Every line the app logged (logger and console) since it started. */
  logs: string[];
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    key?: string | null,
  ): Promise<GqlResponse<T>>;
  post(body: string | Buffer, headers?: Record<string, string>): Promise<RawResponse>;
  /** Count and content hash of every table in the public schema (pg-boss jobs by queue). */
  snapshot(): Promise<Record<string, string>>;
  /**
   * Resolves once no job is queued or running (a cancelled run's worker stops at its next epoch
   * boundary and writes until then), so a snapshot taken next stays still unless a call writes.
   */
  settle(): Promise<void>;
  /** Resolves when the server answers /health. */
  alive(): Promise<boolean>;
  close(): Promise<void>;
}

/** An existing database to start on (kept on close) instead of a fresh one. */
export interface ExistingDatabase {
  dataDir?: string;
  url?: string;
  /** Its admin key (a start on a database with keys creates none). */
  adminKey: string;
}

export async function startHostileApp(
  mode: TestDatabaseMode,
  env: Record<string, string> = {},
  existing: ExistingDatabase | null = null,
): Promise<HostileApp> {
  const created = mode.name === 'postgres' && !existing ? await createServerDatabase() : null;
  const url = existing?.url ?? created?.url ?? null;
  const db = await openDatabase(
    url
      ? { mode: 'server', url, poolSize: 6 }
      : { mode: 'embedded', dataDir: existing?.dataDir ?? null },
  );
  const logs: string[] = [];
  const restore = captureConsole(logs);
  const log: Logger = {
    info: (message, fields) => logs.push(JSON.stringify({ level: 'info', message, ...fields })),
    error: (message, error, fields) =>
      logs.push(
        JSON.stringify({
          level: 'error',
          message,
          error: error instanceof Error ? (error.stack ?? error.message) : String(error),
          ...fields,
        }),
      ),
  };
  const app = await startApp(parseEnv({ ...TEST_ENV, ...env }), log, { db, serverUrl: url });
  const base = app.url!;
  const adminKey = app.adminKey ?? existing!.adminKey;
  return {
    app,
    db,
    url: base,
    adminKey,
    databaseUrl: url,
    logs,
    gql: (query, variables = {}, key = adminKey) => gql(base, query, variables, key),
    post: (body, headers = {}) => post(base, body, headers),
    snapshot: () => snapshot(db),
    settle: () => settle(db),
    async alive() {
      const r = await post(`${base}health`, '', {}, 'GET');
      return r.status === 200;
    },
    async close() {
      await app.stop();
      await db.close();
      await created?.drop();
      restore();
    },
  };
}

async function settle(db: Database, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const busy = await db.sql.query<{ name: string; state: string }>(
      `SELECT name, state::text FROM pgboss.job
       WHERE state IN ('created', 'retry', 'active') AND name <> 'retrain-tick' AND name NOT LIKE '\\_\\_%'`,
    );
    if (busy.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(`jobs still pending after ${timeoutMs} ms: ${JSON.stringify(busy)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Records what the app (and pg-boss) prints, and still prints it. */
function captureConsole(logs: string[]): () => void {
  const saved = { log: console.log, warn: console.warn, error: console.error };
  for (const name of ['log', 'warn', 'error'] as const) {
    console[name] = (...args: unknown[]) => {
      logs.push(
        args.map((a) => (a instanceof Error ? (a.stack ?? a.message) : String(a))).join(' '),
      );
      saved[name](...args);
    };
  }
  return () => Object.assign(console, saved);
}

/**
 * Every public table's row count and a hash of its rows (api_key.last_used_at left out: using a
 * key may stamp it), plus the pg-boss jobs per queue. Equal snapshots = nothing was written.
 */
export async function snapshot(db: Database): Promise<Record<string, string>> {
  const tables = await db.sql.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'
     ORDER BY table_name`,
  );
  const out: Record<string, string> = {};
  for (const { name } of tables) {
    const [row] = await db.sql.query<{ n: number; h: string }>(
      `SELECT count(*)::int AS n,
              md5(coalesce(string_agg(md5((to_jsonb(t) - 'last_used_at')::text), ',' ORDER BY md5((to_jsonb(t) - 'last_used_at')::text)), '')) AS h
       FROM "${name}" t`,
    );
    out[name] = `${row!.n}:${row!.h}`;
  }
  const jobs = await db.sql.query<{ name: string; n: number }>(
    `SELECT name, count(*)::int AS n FROM pgboss.job WHERE name <> 'retrain-tick' AND name NOT LIKE '\\_\\_%' GROUP BY name ORDER BY name`,
  );
  for (const job of jobs) out[`pgboss.job:${job.name}`] = String(job.n);
  return out;
}
