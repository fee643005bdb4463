/**
 * A staged row gets exactly one outcome: two attempts storing the same row at once (a job that
 * expired while its worker still ran, and its retry) write one item and one outcome, the other
 * attempt learns it was 'already' stored; an item that collides writes nothing, not even the
 * outcome; the counts are those of the rows; finishing clears what will never be worked.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDbError } from '../errors.ts';
import type { Database } from '../open-database.ts';
import { TEST_DATABASE_MODES } from '../testing.ts';
import { BulkIngestionRepository, type StagedItem } from './bulk-ingestion-repository.ts';
import type { NewItem } from './item-repository.ts';

const N = 6;

describe.each(TEST_DATABASE_MODES)('bulk ingestion rows on $name', (mode) => {
  let db: Database;
  let repo: BulkIngestionRepository;
  let datasetId = '';
  let siteId = '';
  let labelId = '';

  const staged = (index: number): StagedItem => ({
    index,
    key: `k${index}`,
    recordKey: null,
    siteId,
    labels: ['a', index === 0 ? 'x\ud800y' : 'a'],
    modality: 'text',
    mimeType: null,
    split: null,
    metadata: index === 1 ? { source: 'test' } : null,
    text: `text ${index}`,
    content: null,
  });
  const newItem = (index: number, key = `k${index}`): NewItem => ({
    datasetId,
    siteId,
    modality: 'text',
    externalKey: key,
    recordKey: null,
    content: null,
    text: `text ${index}`,
    mimeType: 'text/plain',
    sizeBytes: 6,
    checksum: createHash('sha256').update(`text ${index}`).digest('hex'),
    metadata: {},
    split: 'TRAIN',
    status: 'READY',
    error: null,
    labelIds: [labelId],
    features: null,
  });
  const created = { status: 'CREATED' as const, itemId: null, errorCode: null, error: null };

  beforeAll(async () => {
    db = await mode.open();
    repo = new BulkIngestionRepository(db.prisma);
    const dataset = await db.prisma.dataset.create({
      data: { name: 'bulk', modalities: ['text'], dimension: 4 },
    });
    datasetId = dataset.id;
    siteId = (await db.prisma.site.create({ data: { datasetId, name: 'hq' } })).id;
    labelId = (await db.prisma.label.create({ data: { datasetId, name: 'a', index: 0 } })).id;
  });
  afterAll(() => db?.close());

  it('stages the request whole, and one idempotency key once per dataset', async () => {
    const items = Array.from({ length: N }, (_, i) => staged(i));
    const ingestion = await repo.create(
      { datasetId, idempotencyKey: 'once', requestHash: 'h' },
      items,
    );
    expect(ingestion).toMatchObject({ status: 'QUEUED', total: N, processed: 0 });
    const rows = await repo.pending(ingestion.id, 100);
    expect(rows.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5]);
    // A lone surrogate cannot travel in a String[]: it is stored as U+FFFD.
    expect(rows[0]!.labels).toEqual(['a', 'x\ufffdy']);
    expect(rows[1]!.metadata).toEqual({ source: 'test' });
    const again = repo.create({ datasetId, idempotencyKey: 'once', requestHash: 'h2' }, items);
    await expect(again).rejects.toSatisfy((e) => isDbError(e) && e.code === 'CONFLICT');
    expect(await db.prisma.bulkIngestion.count()).toBe(1);
  });

  it('two attempts at one row: one item, one outcome, counts from the rows', async () => {
    const ingestion = await repo.create(
      { datasetId, idempotencyKey: null, requestHash: 'h' },
      Array.from({ length: N }, (_, i) => staged(i)),
    );
    expect(await repo.start(ingestion.id)).toBe(true);
    const answers = await Promise.all([
      repo.storeBulkOutcome(ingestion.id, 0, created, newItem(0)),
      repo.storeBulkOutcome(ingestion.id, 0, created, newItem(0)).catch((e: unknown) => {
        // The loser may also meet the winner's item first (same key): nothing written then.
        if (isDbError(e) && e.code === 'CONFLICT') return 'conflict' as const;
        throw e;
      }),
    ]);
    expect(answers.filter((a) => a === 'stored')).toHaveLength(1);
    expect(await db.prisma.item.count({ where: { datasetId } })).toBe(1);

    // Other content under a stored key collides: neither the item nor the outcome is written.
    await expect(
      repo.storeBulkOutcome(ingestion.id, 1, created, newItem(1, 'k0')),
    ).rejects.toSatisfy((e) => isDbError(e) && e.code === 'CONFLICT');
    expect((await repo.pending(ingestion.id, 100)).map((r) => r.index)).toEqual([1, 2, 3, 4, 5]);

    const first = await db.prisma.item.findFirstOrThrow({ where: { datasetId } });
    await repo.storeBulkOutcome(ingestion.id, 1, {
      status: 'DUPLICATE',
      itemId: first.id,
      errorCode: null,
      error: null,
    });
    await repo.storeBulkOutcome(ingestion.id, 2, {
      status: 'FAILED',
      itemId: null,
      errorCode: 'CORRUPT_DOCUMENT',
      error: 'unreadable',
    });
    expect(await repo.storeBulkOutcome(ingestion.id, 2, { ...created, status: 'FAILED' })).toBe(
      'already',
    );
    const counted = await repo.recount(ingestion.id);
    expect(counted).toMatchObject({ processed: 3, created: 1, duplicates: 1, failed: 1 });

    const results = await repo.results(ingestion.id, { first: 2, afterIndex: 0, status: null });
    expect(results.rows.map((r) => [r.index, r.status, r.itemId])).toEqual([
      [1, 'DUPLICATE', first.id],
      [2, 'FAILED', null],
    ]);
    expect(results).toMatchObject({ hasNextPage: true, totalCount: N });
    const stored = await db.prisma.bulkIngestionItem.findMany({
      where: { ingestionId: ingestion.id, status: { not: 'PENDING' } },
    });
    expect(stored.map((r) => [r.content, r.text])).toEqual([
      [null, null],
      [null, null],
      [null, null],
    ]);

    expect(await repo.finish(ingestion.id, 'CANCELLED', 'cancelled by request')).toBe(true);
    expect(await repo.finish(ingestion.id, 'SUCCEEDED', null)).toBe(false);
    expect(await repo.start(ingestion.id)).toBe(false);
    const left = await db.prisma.bulkIngestionItem.findMany({
      where: { ingestionId: ingestion.id, status: 'PENDING' },
    });
    expect(left).toHaveLength(3);
    expect(left.every((r) => r.text === null && r.content === null)).toBe(true);
  });
});
