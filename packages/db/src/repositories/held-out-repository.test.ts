import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../open-database.ts';
import { TEST_DATABASE_MODES } from '../testing.ts';
import { HeldOutRepository } from './held-out-repository.ts';

interface Fixture {
  datasetId: string;
  modelA: string;
  modelB: string;
  ids: Record<string, string>;
}

/** Items by name: which split/status/labels they have, and which models embed them. */
const ITEMS = [
  { name: 'img1', modality: 'image', split: 'TEST', status: 'READY', labels: [1], models: 'AB' },
  { name: 'img2', modality: 'image', split: 'TEST', status: 'READY', labels: [0, 1], models: 'A' },
  { name: 'txt1', modality: 'text', split: 'TEST', status: 'READY', labels: [0], models: 'AB' },
  { name: 'train', modality: 'text', split: 'TRAIN', status: 'READY', labels: [0], models: 'AB' },
  { name: 'pending', modality: 'text', split: 'TEST', status: 'PENDING', labels: [0], models: '' },
  {
    name: 'unlabelled',
    modality: 'text',
    split: 'TEST',
    status: 'READY',
    labels: [],
    models: 'AB',
  },
] as const;

async function seed(db: Database): Promise<Fixture> {
  const dataset = await db.prisma.dataset.create({
    data: { name: 'held-out', modalities: ['image', 'text'], dimension: 3 },
  });
  const site = await db.prisma.site.create({ data: { datasetId: dataset.id, name: 'north' } });
  const labels = await Promise.all(
    ['zero', 'one'].map((name, index) =>
      db.prisma.label.create({ data: { datasetId: dataset.id, name, index } }),
    ),
  );
  const ids: Record<string, string> = {};
  for (const item of ITEMS) {
    const row = await db.prisma.item.create({
      data: {
        datasetId: dataset.id,
        siteId: site.id,
        modality: item.modality,
        text: item.name,
        mimeType: 'text/plain',
        sizeBytes: 4,
        checksum: createHash('sha256').update(item.name).digest('hex'),
        split: item.split,
        status: item.status,
        labels: { create: item.labels.map((index) => ({ labelId: labels[index]!.id })) },
      },
    });
    ids[item.name] = row.id;
  }
  const models = await Promise.all(
    [1, 2].map((version) =>
      db.prisma.model.create({
        data: { datasetId: dataset.id, version, dimension: 3, config: {} },
      }),
    ),
  );
  for (const [letter, model] of [
    ['A', models[0]!],
    ['B', models[1]!],
  ] as const) {
    await db.embeddings.upsertMany(
      model.id,
      ITEMS.filter((item) => item.models.includes(letter)).map((item, i) => ({
        itemId: ids[item.name]!,
        vector: [i + 1, letter === 'A' ? 0.5 : -0.5, 0.25],
      })),
    );
  }
  return { datasetId: dataset.id, modelA: models[0]!.id, modelB: models[1]!.id, ids };
}

describe.each(TEST_DATABASE_MODES)('HeldOutRepository ($name)', (mode) => {
  let db: Database;
  let f: Fixture;

  beforeAll(async () => {
    db = await mode.open();
    f = await seed(db);
  });
  afterAll(() => db.close());

  it('lists the READY, labelled TEST items every model has embedded, by modality then id', async () => {
    const repo = new HeldOutRepository(db.sql);
    const one = await repo.items(f.datasetId, [f.modelA]);
    const images = [f.ids.img1!, f.ids.img2!].sort();
    expect(one.map((item) => item.id)).toEqual([...images, f.ids.txt1]);
    const img2 = one.find((item) => item.id === f.ids.img2)!;
    expect(img2).toMatchObject({ modality: 'image', labelIndices: [0, 1] });

    const both = await repo.items(f.datasetId, [f.modelA, f.modelB]);
    expect(both.map((item) => item.id)).toEqual([f.ids.img1, f.ids.txt1]);
    expect(both[0]!.labelIndices).toEqual([1]);
  });

  it('reads a model’s vectors in the order asked for, and refuses an item it has not embedded', async () => {
    const repo = new HeldOutRepository(db.sql);
    // Model B embedded img1, txt1, train, unlabelled in that order as rows 1..4.
    const vectors = await repo.vectors(f.modelB, 3, [f.ids.txt1!, f.ids.img1!]);
    expect([...vectors]).toEqual([2, -0.5, 0.25, 1, -0.5, 0.25]);
    await expect(repo.vectors(f.modelB, 3, [f.ids.img2!])).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
