/**
 * Test support shared by every package's database tests: a fresh, isolated database in each
 * mode — an in-memory PGlite, or a new database on the PostgreSQL server named by
 * TEST_DATABASE_URL (default: the local server CI starts) — dropped again on close.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database, type OpenOptions } from './open-database.ts';

export const DEFAULT_TEST_SERVER_URL = 'postgresql://root@127.0.0.1:5432/test';

export function testServerUrl(): string {
  return process.env.TEST_DATABASE_URL ?? DEFAULT_TEST_SERVER_URL;
}

export interface TestDatabaseMode {
  name: 'pglite' | 'postgres';
  /** A fresh database; `close()` also drops it. */
  open(options?: OpenOptions): Promise<Database>;
  /** A fresh empty database's config for tests that open several clients on it. */
  create(): Promise<{ url: string | null; drop(): Promise<void> }>;
}

export const TEST_DATABASE_MODES: readonly TestDatabaseMode[] = [
  {
    name: 'pglite',
    open: (options) => openDatabase({ mode: 'embedded', dataDir: null }, options),
    create: () => Promise.resolve({ url: null, drop: () => Promise.resolve() }),
  },
  {
    name: 'postgres',
    async open(options) {
      const created = await createServerDatabase();
      try {
        const db = await openDatabase({ mode: 'server', url: created.url, poolSize: 4 }, options);
        return {
          ...db,
          async close() {
            await db.close();
            await created.drop();
          },
        };
      } catch (error) {
        await created.drop();
        throw error;
      }
    },
    create: createServerDatabase,
  },
];

export async function createServerDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = testServerUrl();
  const name = `concord_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      withAdmin(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  };
}

async function withAdmin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
