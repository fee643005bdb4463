import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../open-database.ts';
import { TEST_DATABASE_MODES } from '../testing.ts';
import { ItemCountRepository } from './item-count-repository.ts';

/**
 * 60 items over 3 sites (one empty), 2 modalities and 3 labels (one unused); item i is at site
 * i % 2, text when i % 3 == 0, READY unless i % 10 == 0 (FAILED), labelled `a` when i is even,
 * also `b` when i % 4 == 0, and unlabelled when i % 5 == 0 and odd. Expected counts below come
 * from these rules by arithmetic, not from the code under test.
 */
const N = 60;

describe.each(TEST_DATABASE_MODES)('item counts on $name', (mode) => {
  let db: Database;
  let datasetId = '';
  let otherId = '';
  let siteIds: string[] = [];
  let labelIds: string[] = [];

  beforeAll(async () => {
    db = await mode.open();
    const [dataset, other] = await Promise.all(
      ['counts', 'other'].map((name) =>
        db.prisma.dataset.create({ data: { name, modalities: ['image', 'text'], dimension: 4 } }),
      ),
    );
    datasetId = dataset!.id;
    otherId = other!.id;
    siteIds = [];
    for (const name of ['north', 'south', 'empty'])
      siteIds.push((await db.prisma.site.create({ data: { datasetId, name } })).id);
    labelIds = [];
    for (const [index, name] of ['a', 'b', 'unused'].entries())
      labelIds.push((await db.prisma.label.create({ data: { datasetId, name, index } })).id);
    const otherSite = await db.prisma.site.create({ data: { datasetId: otherId, name: 'x' } });
    const items = Array.from({ length: N }, (_, i) => ({
      id: crypto.randomUUID(),
      datasetId,
      siteId: siteIds[i % 2]!,
      modality: i % 3 === 0 ? 'text' : 'image',
      text: `item ${i}`,
      mimeType: 'text/plain',
      sizeBytes: 8,
      checksum: createHash('sha256').update(`item ${i}`).digest('hex'),
      status: i % 10 === 0 ? ('FAILED' as const) : ('READY' as const),
    }));
    await db.prisma.item.createMany({
      data: [
        ...items,
        // Another dataset's items must not leak into these counts.
        ...[0, 1].map((i) => ({
          ...items[i]!,
          id: crypto.randomUUID(),
          datasetId: otherId,
          siteId: otherSite.id,
        })),
      ],
    });
    await db.prisma.itemLabel.createMany({
      data: items.flatMap((item, i) => [
        ...(i % 2 === 0 ? [{ itemId: item.id, labelId: labelIds[0]! }] : []),
        ...(i % 4 === 0 ? [{ itemId: item.id, labelId: labelIds[1]! }] : []),
      ]),
    });
  }, 120_000);
  afterAll(() => db?.close());

  it('counts per site, modality, status and label in one query, zeros included', async () => {
    const [counts, other] = await new ItemCountRepository(db.sql).countsOf([datasetId, otherId]);
    const range = Array.from({ length: N }, (_, i) => i);
    const where = (f: (i: number) => boolean) => range.filter(f).length;
    expect(counts!.total).toBe(N);
    expect(counts!.byStatus).toEqual({
      READY: where((i) => i % 10 !== 0),
      FAILED: where((i) => i % 10 === 0),
      PENDING: 0,
    });
    expect(counts!.byModality).toEqual([
      { modality: 'image', count: where((i) => i % 3 !== 0) },
      { modality: 'text', count: where((i) => i % 3 === 0) },
    ]);
    const site = (id: string) => counts!.bySite.find((s) => s.siteId === id);
    expect(site(siteIds[0]!)).toEqual({
      siteId: siteIds[0],
      count: 30,
      byModality: [
        { modality: 'image', count: where((i) => i % 2 === 0 && i % 3 !== 0) },
        { modality: 'text', count: where((i) => i % 2 === 0 && i % 3 === 0) },
      ],
    });
    expect(site(siteIds[1]!)?.count).toBe(30);
    expect(site(siteIds[2]!)).toEqual({ siteId: siteIds[2], count: 0, byModality: [] });
    const label = (id: string) => counts!.byLabel.find((l) => l.labelId === id);
    expect(label(labelIds[0]!)?.count).toBe(where((i) => i % 2 === 0));
    expect(label(labelIds[1]!)?.count).toBe(where((i) => i % 4 === 0));
    expect(label(labelIds[1]!)?.byModality).toEqual([
      { modality: 'image', count: where((i) => i % 4 === 0 && i % 3 !== 0) },
      { modality: 'text', count: where((i) => i % 12 === 0) },
    ]);
    expect(label(labelIds[2]!)).toEqual({ labelId: labelIds[2], count: 0, byModality: [] });
    expect(counts!.unlabelled).toBe(where((i) => i % 2 === 1));
    expect(other!.total).toBe(2);
    expect(other!.bySite).toHaveLength(1);
  });

  it('returns empty counts for a dataset without sites, and refuses non-UUIDs', async () => {
    const id = crypto.randomUUID();
    const [empty] = await new ItemCountRepository(db.sql).countsOf([id]);
    expect(empty).toMatchObject({ datasetId: id, total: 0, bySite: [], byLabel: [] });
    await expect(new ItemCountRepository(db.sql).countsOf(['nope'])).rejects.toThrow(/dataset/);
  });
});
