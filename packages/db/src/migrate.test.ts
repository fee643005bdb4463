import { appendFile, cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DbError } from './errors.ts';
import { DEFAULT_MIGRATIONS_DIR, migrate, readMigrations } from './migrate.ts';
import { openDatabase, type Database } from './open-database.ts';
import { TEST_DATABASE_MODES } from './testing.ts';

describe.each(TEST_DATABASE_MODES)('migrations on $name', (mode) => {
  let dir: string;
  let db: Database;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'concord-migrations-'));
    await cp(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
    db = await mode.open({ migrate: false });
  });

  afterEach(async () => {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('applies every migration to a fresh database, then a second run is a no-op', async () => {
    const migrations = await readMigrations(dir);
    expect(migrations.length).toBeGreaterThan(0);

    const first = await migrate(db.sql, migrations);
    expect(first.applied).toEqual(migrations.map((m) => m.name));

    const tables = await db.sql.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
    );
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(['dataset', 'item', 'embedding', 'training_run', 'api_key']),
    );

    const second = await migrate(db.sql, migrations);
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied.sort()).toEqual(migrations.map((m) => m.name).sort());
    const [count] = await db.sql.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM "_prisma_migrations"',
    );
    expect(count?.n).toBe(migrations.length);
  });

  it('refuses a migration that was changed after it was applied', async () => {
    await migrate(db.sql, await readMigrations(dir));
    const [first] = await readMigrations(dir);
    await appendFile(join(dir, first!.name, 'migration.sql'), '\n-- edited later\n');

    const error = await migrate(db.sql, await readMigrations(dir)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DbError);
    expect((error as DbError).code).toBe('MIGRATION_REFUSED');
    expect((error as DbError).message).toMatch(/changed after it was applied/);
  });

  it('refuses to run when an applied migration is missing from disk', async () => {
    await migrate(db.sql, await readMigrations(dir));
    const [first] = await readMigrations(dir);
    await rm(join(dir, first!.name), { recursive: true });

    await expect(migrate(db.sql, await readMigrations(dir))).rejects.toMatchObject({
      code: 'MIGRATION_REFUSED',
      message: expect.stringMatching(/missing from the migrations folder/) as unknown,
    });
  });

  it('applies a new migration after the existing ones, and rolls back a failing one whole', async () => {
    await migrate(db.sql, await readMigrations(dir));
    const addNote = join(dir, '99990101000000_add_note');
    await mkdir(addNote);
    await writeFile(join(addNote, 'migration.sql'), 'ALTER TABLE site ADD COLUMN note TEXT;');
    const broken = join(dir, '99990102000000_broken');
    await mkdir(broken);
    await writeFile(
      join(broken, 'migration.sql'),
      'CREATE TABLE t_ok (x int);\nSELECT nope FROM nowhere;',
    );

    await expect(migrate(db.sql, await readMigrations(dir))).rejects.toThrow(/nowhere/);
    const columns = await db.sql.query(
      `SELECT 1 FROM information_schema.columns WHERE table_name = 'site' AND column_name = 'note'`,
    );
    expect(columns).toHaveLength(0);

    await rm(broken, { recursive: true });
    const result = await migrate(db.sql, await readMigrations(dir));
    expect(result.applied).toEqual(['99990101000000_add_note']);
  });
});

describe('concurrent migration runners', () => {
  it('end with one applied set on PostgreSQL (separate connections)', async () => {
    const server = TEST_DATABASE_MODES.find((m) => m.name === 'postgres')!;
    const created = await server.create();
    try {
      const open = () =>
        openDatabase({ mode: 'server', url: created.url!, poolSize: 2 }, { migrate: false });
      const clients = await Promise.all([open(), open(), open()]);
      try {
        const migrations = await readMigrations();
        const results = await Promise.all(clients.map((c) => migrate(c.sql, migrations)));
        const appliedBy = results.filter((r) => r.applied.length > 0);
        expect(appliedBy).toHaveLength(1);
        expect(appliedBy[0]!.applied).toEqual(migrations.map((m) => m.name));
        const rows = await clients[0].sql.query<{ migration_name: string }>(
          'SELECT migration_name FROM "_prisma_migrations" ORDER BY migration_name',
        );
        expect(rows.map((r) => r.migration_name)).toEqual(migrations.map((m) => m.name));
      } finally {
        await Promise.all(clients.map((c) => c.close()));
      }
    } finally {
      await created.drop();
    }
  });

  it('end with one applied set on PGlite (one connection, interleaved callers)', async () => {
    const db = await openDatabase({ mode: 'embedded', dataDir: null }, { migrate: false });
    try {
      const migrations = await readMigrations();
      const results = await Promise.all([1, 2, 3].map(() => migrate(db.sql, migrations)));
      expect(results.filter((r) => r.applied.length > 0)).toHaveLength(1);
      const rows = await db.sql.query('SELECT 1 FROM "_prisma_migrations"');
      expect(rows).toHaveLength(migrations.length);
    } finally {
      await db.close();
    }
  });
});

describe('embedded database on disk', () => {
  it('keeps its data across restarts', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'concord-pglite-'));
    try {
      const first = await openDatabase({ mode: 'embedded', dataDir });
      await first.prisma.dataset.create({
        data: { name: 'kept', modalities: ['image', 'text'], dimension: 8 },
      });
      await first.close();

      const second = await openDatabase({ mode: 'embedded', dataDir });
      try {
        expect(second.migration?.applied).toEqual([]);
        const kept = await second.prisma.dataset.findUnique({ where: { name: 'kept' } });
        expect(kept?.modalities).toEqual(['image', 'text']);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
