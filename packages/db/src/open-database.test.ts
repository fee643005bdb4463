/**
 * Server mode outlives its connections: when PostgreSQL ends the pool's idle connections (a
 * restart, a failover, an administrator), the process goes on and the next query reconnects.
 * Without an 'error' listener on the pool, node-postgres re-emits the idle client's error and the
 * process dies (seen in CI when a test database was dropped WITH (FORCE) under an open pool).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from './open-database.ts';
import { createServerDatabase, testServerUrl } from './testing.ts';

describe('server mode when the server ends its connections', () => {
  let created: Awaited<ReturnType<typeof createServerDatabase>>;
  let db: Database;

  beforeAll(async () => {
    created = await createServerDatabase();
    db = await openDatabase({ mode: 'server', url: created.url, poolSize: 3 });
  }, 120_000);
  afterAll(async () => {
    await db?.close();
    await created?.drop();
  });

  it('keeps the process alive and reconnects on the next query', async () => {
    // Three idle connections in the pool.
    await Promise.all([1, 2, 3].map((n) => db.sql.query(`SELECT ${n} AS n, pg_sleep(0.05)`)));
    const name = new URL(created.url).pathname.slice(1);
    const admin = new pg.Client({ connectionString: testServerUrl() });
    await admin.connect();
    try {
      const [ended] = (
        await admin.query<{ n: number }>(
          `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
           WHERE datname = $1 AND pid <> pg_backend_pid()`,
          [name],
        )
      ).rows;
      expect(ended!.n).toBeGreaterThanOrEqual(1);
    } finally {
      await admin.end();
    }
    // Let the pool see the terminations, then use it again (raw SQL and Prisma both).
    await new Promise((resolve) => setTimeout(resolve, 500));
    const [row] = await db.sql.query<{ n: number }>('SELECT 41 + 1 AS n');
    expect(row!.n).toBe(42);
    expect(await db.prisma.dataset.count()).toBe(0);
  });
});
