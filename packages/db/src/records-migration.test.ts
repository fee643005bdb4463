/**
 * The records-and-keys migration on a database that holds items from before it: the demo's
 * `metadata.pairId` becomes the record key, the same content may then be stored under two keys,
 * and a keyless item's content stays unique.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_MIGRATIONS_DIR, migrate, readMigrations } from './migrate.ts';
import type { Database } from './open-database.ts';
import { TEST_DATABASE_MODES } from './testing.ts';

const MIGRATION = '20261206120000_records_and_keys';
const DATASET = '00000000-0000-4000-8000-000000000001';
const SITE = '00000000-0000-4000-8000-000000000002';
/** A well-formed checksum (64 hex digits) per name. */
const sha = (name: string) => createHash('sha256').update(name).digest('hex');

describe.each(TEST_DATABASE_MODES)('the records_and_keys migration on $name', (mode) => {
  let db: Database;

  beforeEach(async () => {
    db = await mode.open({ migrate: false });
    const all = await readMigrations(DEFAULT_MIGRATIONS_DIR);
    const index = all.findIndex((m) => m.name === MIGRATION);
    expect(index).toBeGreaterThan(0);
    await migrate(db.sql, all.slice(0, index));
    await db.sql.query(
      `INSERT INTO dataset (id, name, modalities, dimension, updated_at)
       VALUES ($1, 'emoji', '{image,text}', 64, now())`,
      [DATASET],
    );
    await db.sql.query(`INSERT INTO site (id, dataset_id, name) VALUES ($1, $2, 'hq')`, [
      SITE,
      DATASET,
    ]);
  });

  afterEach(() => db.close());

  const insertItem = (
    id: string,
    modality: string,
    key: string | null,
    checksum: string,
    metadata: object,
  ) =>
    db.sql.query(
      `INSERT INTO item (id, dataset_id, site_id, modality, external_key, mime_type, size_bytes,
                         checksum, metadata, updated_at)
       VALUES ($1, $2, $3, $4, $5, 'text/plain', 1, $6, $7::jsonb, now())`,
      [id, DATASET, SITE, modality, key, sha(checksum), JSON.stringify(metadata)],
    );

  it('makes metadata.pairId the record key and leaves other items without one', async () => {
    await insertItem('10000000-0000-4000-8000-000000000001', 'image', '1f600/image', 'a', {
      pairId: '1f600',
      subcategory: 'face-smiling',
    });
    await insertItem('10000000-0000-4000-8000-000000000002', 'text', '1f600/text', 'b', {
      pairId: '1f600',
    });
    await insertItem('10000000-0000-4000-8000-000000000003', 'text', 'plain', 'c', {});
    await insertItem('10000000-0000-4000-8000-000000000004', 'text', 'numeric', 'd', {
      pairId: 7,
    });

    const result = await migrate(db.sql, await readMigrations(DEFAULT_MIGRATIONS_DIR));
    expect(result.applied).toContain(MIGRATION);

    const rows = await db.sql.query<{ external_key: string; record_key: string | null }>(
      'SELECT external_key, record_key FROM item ORDER BY external_key',
    );
    expect(rows).toEqual([
      { external_key: '1f600/image', record_key: '1f600' },
      { external_key: '1f600/text', record_key: '1f600' },
      { external_key: 'numeric', record_key: null },
      { external_key: 'plain', record_key: null },
    ]);
  });

  it('lets two keys hold the same content, but not two keyless items', async () => {
    await migrate(db.sql, await readMigrations(DEFAULT_MIGRATIONS_DIR));
    await insertItem('20000000-0000-4000-8000-000000000001', 'image', 'one.png', 'same', {});
    await insertItem('20000000-0000-4000-8000-000000000002', 'image', 'two.png', 'same', {});
    await insertItem('20000000-0000-4000-8000-000000000003', 'image', null, 'same', {});
    await expect(
      insertItem('20000000-0000-4000-8000-000000000004', 'image', null, 'same', {}),
    ).rejects.toThrow(/item_keyless_checksum_key|duplicate key/);
    await expect(
      insertItem('20000000-0000-4000-8000-000000000005', 'image', 'one.png', 'other', {}),
    ).rejects.toThrow(/item_dataset_id_modality_external_key_key|duplicate key/);
    const [count] = await db.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM item WHERE checksum = $1`,
      [sha('same')],
    );
    expect(count?.n).toBe(3);
  });
});
