/**
 * Applies the SQL migrations in prisma/migrations/<timestamp>_<name>/migration.sql in order,
 * recording them in Prisma's own `_prisma_migrations` table (same checksums), so `prisma migrate
 * deploy` agrees with this runner wherever Prisma's engine is available.
 *
 * All of it runs in one transaction under an advisory lock: concurrent starters are serialised,
 * a failed migration leaves nothing behind, and a second run is a no-op.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DbError } from './errors.ts';
import type { SqlClient } from './sql.ts';

export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(
  new URL('../../../prisma/migrations', import.meta.url),
);

/** Arbitrary constant shared by every Concord process: the key of the migration advisory lock. */
const MIGRATION_LOCK_KEY = 7_264_311_905;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
}

export function checksumOf(sql: string): string {
  return createHash('sha256').update(sql, 'utf8').digest('hex');
}

export async function readMigrations(dir = DEFAULT_MIGRATIONS_DIR): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: checksumOf(sql) };
    }),
  );
}

export async function migrate(
  client: SqlClient,
  migrations: readonly Migration[],
): Promise<MigrationResult> {
  return client.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.exec(`
      CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
        "id" VARCHAR(36) PRIMARY KEY NOT NULL,
        "checksum" VARCHAR(64) NOT NULL,
        "finished_at" TIMESTAMPTZ,
        "migration_name" VARCHAR(255) NOT NULL,
        "logs" TEXT,
        "rolled_back_at" TIMESTAMPTZ,
        "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
        "applied_steps_count" INTEGER NOT NULL DEFAULT 0
      )`);
    const applied = await tx.query<AppliedRow>(
      `SELECT migration_name, checksum FROM "_prisma_migrations"
       WHERE rolled_back_at IS NULL AND finished_at IS NOT NULL ORDER BY migration_name`,
    );
    verifyApplied(applied, migrations);

    const appliedNames = new Set(applied.map((row) => row.migration_name));
    const pending = migrations.filter((migration) => !appliedNames.has(migration.name));
    for (const migration of pending) {
      await tx.exec(migration.sql);
      await tx.query(
        `INSERT INTO "_prisma_migrations"
           (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
         VALUES ($1, $2, $3, now(), now(), 1)`,
        [randomUUID(), migration.checksum, migration.name],
      );
    }
    return {
      applied: pending.map((migration) => migration.name),
      alreadyApplied: [...appliedNames],
    };
  });
}

function verifyApplied(applied: readonly AppliedRow[], migrations: readonly Migration[]): void {
  const byName = new Map(migrations.map((migration) => [migration.name, migration]));
  for (const row of applied) {
    const migration = byName.get(row.migration_name);
    if (!migration) {
      throw new DbError(
        'MIGRATION_REFUSED',
        `Migration ${row.migration_name} is applied to the database but missing from the migrations folder; refusing to start.`,
      );
    }
    if (migration.checksum !== row.checksum) {
      throw new DbError(
        'MIGRATION_REFUSED',
        `Migration ${row.migration_name} was changed after it was applied (checksum ${row.checksum.slice(0, 12)}… in the database, ${migration.checksum.slice(0, 12)}… on disk); refusing to start. Add a new migration instead.`,
      );
    }
  }
}
