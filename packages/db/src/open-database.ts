/**
 * Opens Concord's database in either mode behind one interface: embedded PGlite (with pgvector)
 * in a local folder, or a PostgreSQL server through a connection pool. Migrations run on open.
 */
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from './generated/prisma/client.ts';
import { migrate, readMigrations, type MigrationResult } from './migrate.ts';
import { EmbeddingRepository } from './repositories/embedding-repository.ts';
import { pgliteSqlClient, pgSqlClient, type DatabaseMode, type SqlClient } from './sql.ts';

export const DEFAULT_POOL_SIZE = 10;

export type DatabaseConfig =
  | {
      mode: 'embedded';
      /** Folder holding the data; `null` keeps it in memory (tests). */
      dataDir: string | null;
    }
  | {
      mode: 'server';
      url: string;
      poolSize?: number;
    };

export interface OpenOptions {
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean;
  migrationsDir?: string;
}

export interface Database {
  readonly mode: DatabaseMode;
  readonly prisma: PrismaClient;
  readonly sql: SqlClient;
  readonly embeddings: EmbeddingRepository;
  readonly migration: MigrationResult | null;
  /** The PGlite instance in embedded mode (pg-boss runs on it); null in server mode. */
  readonly pglite: PGlite | null;
  close(): Promise<void>;
}

export async function openDatabase(
  config: DatabaseConfig,
  options: OpenOptions = {},
): Promise<Database> {
  const handle =
    config.mode === 'embedded' ? await openEmbedded(config.dataDir) : openServer(config);
  try {
    const migration =
      options.migrate === false
        ? null
        : await migrate(handle.sql, await readMigrations(options.migrationsDir));
    return {
      ...handle,
      embeddings: new EmbeddingRepository(handle.sql),
      migration,
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

type Handle = Pick<Database, 'mode' | 'prisma' | 'sql' | 'pglite' | 'close'>;

async function openEmbedded(dataDir: string | null): Promise<Handle> {
  const pglite = await PGlite.create(dataDir ?? 'memory://', { extensions: { vector } });
  await pglite.exec('CREATE EXTENSION IF NOT EXISTS vector');
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  return {
    mode: 'embedded',
    prisma,
    sql: pgliteSqlClient(pglite),
    pglite,
    async close() {
      await prisma.$disconnect();
      await pglite.close();
    },
  };
}

function openServer(config: { url: string; poolSize?: number }): Handle {
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.poolSize ?? DEFAULT_POOL_SIZE,
  });
  // An idle connection that the server ends (restart, failover, the database dropped) makes the
  // pool emit 'error'; with no listener that kills the process. The pool has already dropped the
  // connection, and the next query opens a new one, so it is only worth a line in the log.
  pool.on('error', (error) => {
    console.warn(`database: an idle connection was closed by the server (${error.message})`);
  });
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    mode: 'server',
    prisma,
    sql: pgSqlClient(pool),
    pglite: null,
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}
