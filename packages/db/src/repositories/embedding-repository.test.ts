import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../open-database.ts';
import { clusteredUnitVectors, seededRandom, TEST_DATABASE_MODES } from '../testing.ts';

const DIMENSION = 2048;
const COUNT = 3000;
const CLUSTERS = 40;
const K = 10;
/** Label carried by 1% of the items (every 100th), for the selective-filter test. */
const RARE_EVERY = 100;

interface Fixture {
  datasetId: string;
  modelId: string;
  siteIds: [string, string];
  rareLabelId: string;
  commonLabelId: string;
  queries: Float32Array[];
}

async function seed(db: Database): Promise<Fixture> {
  const { vectors, centres } = clusteredUnitVectors({
    count: COUNT,
    dimension: DIMENSION,
    clusters: CLUSTERS,
    spread: 0.8,
    seed: 7,
  });
  const dataset = await db.prisma.dataset.create({
    data: { name: 'vectors', modalities: ['image', 'text'], dimension: DIMENSION },
  });
  const sites = await Promise.all(
    ['north', 'south'].map((name) =>
      db.prisma.site.create({ data: { datasetId: dataset.id, name } }),
    ),
  );
  const [rare, common] = await Promise.all(
    ['rare', 'common'].map((name, index) =>
      db.prisma.label.create({ data: { datasetId: dataset.id, name, index } }),
    ),
  );
  const items = vectors.map((_, i) => ({
    id: crypto.randomUUID(),
    datasetId: dataset.id,
    siteId: sites[i % 2]!.id,
    modality: i % 3 === 0 ? 'text' : 'image',
    text: `item ${i}`,
    mimeType: 'text/plain',
    sizeBytes: 8,
    checksum: createHash('sha256').update(`item ${i}`).digest('hex'),
    status: 'READY' as const,
  }));
  await db.prisma.item.createMany({ data: items });
  await db.prisma.itemLabel.createMany({
    data: items.map((item, i) => ({
      itemId: item.id,
      labelId: i % RARE_EVERY === 0 ? rare!.id : common!.id,
    })),
  });
  const model = await db.prisma.model.create({
    data: { datasetId: dataset.id, version: 1, dimension: DIMENSION, config: {} },
  });
  for (let start = 0; start < COUNT; start += 500) {
    await db.embeddings.upsertMany(
      model.id,
      items
        .slice(start, start + 500)
        .map((item, j) => ({ itemId: item.id, vector: vectors[start + j]! })),
    );
  }
  await db.embeddings.buildIndex(model.id);

  const random = seededRandom(99);
  const queries = Array.from({ length: 30 }, () => {
    const centre = centres[Math.floor(random() * CLUSTERS)]!;
    return centre.map((value) => value + (random() - 0.5) * 0.02);
  });
  return {
    datasetId: dataset.id,
    modelId: model.id,
    siteIds: [sites[0]!.id, sites[1]!.id],
    rareLabelId: rare!.id,
    commonLabelId: common!.id,
    queries,
  };
}

describe.each(TEST_DATABASE_MODES)('embedding search on $name (D = 2048)', (mode) => {
  let db: Database;
  let fx: Fixture;

  // Seeding builds a halfvec HNSW index, which PGlite computes in scalar WASM: about a minute on
  // an idle machine, several on a loaded one.
  beforeAll(async () => {
    db = await mode.open();
    fx = await seed(db);
  }, 600_000);
  afterAll(() => db.close());

  it('stores halfvec-indexed embeddings and counts them', async () => {
    expect(await db.embeddings.count(fx.modelId)).toBe(COUNT);
    expect(await db.embeddings.hasIndex(fx.modelId)).toBe(true);
    const [index] = await db.sql.query<{ indexdef: string }>(
      `SELECT indexdef FROM pg_indexes WHERE tablename = 'embedding' AND indexdef LIKE '%hnsw%'`,
    );
    expect(index?.indexdef).toMatch(/halfvec\(2048\)/);
    expect(index?.indexdef).toMatch(/halfvec_cosine_ops/);
  });

  it('approximate search uses the HNSW index and reaches recall@10 ≥ 0.95 against exact', async () => {
    let found = 0;
    for (const query of fx.queries) {
      const base = { datasetId: fx.datasetId, modelId: fx.modelId, vector: query, k: K };
      const exact = await db.embeddings.search({ ...base, mode: 'exact' });
      const approx = await db.embeddings.search({ ...base, mode: 'approximate' });
      const truth = new Set(exact.hits.map((hit) => hit.itemId));
      found += approx.hits.filter((hit) => truth.has(hit.itemId)).length;
      expect(exact.hits).toHaveLength(K);
      // Exact hits come in non-decreasing distance order, scores are cosine similarities.
      exact.hits
        .slice(1)
        .forEach((hit, i) => expect(hit.distance).toBeGreaterThanOrEqual(exact.hits[i]!.distance));
      expect(exact.hits[0]!.score).toBeCloseTo(1 - exact.hits[0]!.distance, 12);
    }
    const recall = found / (fx.queries.length * K);
    const plan = await db.embeddings.explainSearch({
      datasetId: fx.datasetId,
      modelId: fx.modelId,
      vector: fx.queries[0]!,
      k: K,
      mode: 'approximate',
    });
    expect(plan).toMatch(/Index Scan using embedding_hnsw_/);
    expect(recall).toBeGreaterThanOrEqual(0.95);
  });

  it('a filter matching 1% of rows still returns k results, all matching', async () => {
    for (const query of fx.queries.slice(0, 5)) {
      const page = await db.embeddings.search({
        datasetId: fx.datasetId,
        modelId: fx.modelId,
        vector: query,
        k: K,
        mode: 'approximate',
        filters: { labelIds: [fx.rareLabelId] },
      });
      expect(page.hits).toHaveLength(K);
      const labelled = await db.prisma.itemLabel.findMany({
        where: { itemId: { in: page.hits.map((hit) => hit.itemId) }, labelId: fx.rareLabelId },
      });
      expect(labelled).toHaveLength(K);
    }
  });

  it('filters by site and modality', async () => {
    const page = await db.embeddings.search({
      datasetId: fx.datasetId,
      modelId: fx.modelId,
      vector: fx.queries[0]!,
      k: 50,
      mode: 'approximate',
      filters: { siteIds: [fx.siteIds[1]], modalities: ['text'] },
    });
    expect(page.hits).toHaveLength(50);
    for (const hit of page.hits) {
      expect(hit.siteId).toBe(fx.siteIds[1]);
      expect(hit.modality).toBe('text');
    }
  });

  it.each(['exact', 'approximate'] as const)(
    'paging through all results (%s) visits every row exactly once, in order',
    async (searchMode) => {
      const seen: string[] = [];
      let after: string | null = null;
      let previous = -Infinity;
      for (let pages = 0; pages < 100; pages += 1) {
        const page = await db.embeddings.search({
          datasetId: fx.datasetId,
          modelId: fx.modelId,
          vector: fx.queries[1]!,
          k: 250,
          mode: searchMode,
          after,
          efSearch: 400,
          maxScanTuples: 2 * COUNT,
        });
        for (const hit of page.hits) {
          expect(hit.distance).toBeGreaterThanOrEqual(previous);
          previous = hit.distance;
          seen.push(hit.itemId);
        }
        if (!page.hasNextPage) break;
        after = page.endCursor;
      }
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toHaveLength(COUNT);
    },
  );

  it('rejects bad input with typed errors and writes nothing', async () => {
    const [item] = await db.prisma.item.findMany({ take: 1 });
    const good = new Float32Array(DIMENSION).fill(1 / Math.sqrt(DIMENSION));
    const nan = good.slice();
    nan[3] = Number.NaN;
    const inf = good.slice();
    inf[7] = Number.POSITIVE_INFINITY;
    const before = await db.embeddings.count(fx.modelId);

    await expect(
      db.embeddings.upsertMany(fx.modelId, [{ itemId: item!.id, vector: good.slice(0, 100) }]),
    ).rejects.toMatchObject({ code: 'INVALID_VECTOR' });
    await expect(
      db.embeddings.upsertMany(fx.modelId, [{ itemId: item!.id, vector: nan }]),
    ).rejects.toMatchObject({
      code: 'INVALID_VECTOR',
    });
    await expect(
      db.embeddings.upsertMany(fx.modelId, [{ itemId: item!.id, vector: inf }]),
    ).rejects.toMatchObject({
      code: 'INVALID_VECTOR',
    });
    // A batch with one unknown item writes none of its rows, not even the valid one.
    const fresh = await db.prisma.model.create({
      data: { datasetId: fx.datasetId, version: 2, dimension: DIMENSION, config: {} },
    });
    await expect(
      db.embeddings.upsertMany(fresh.id, [
        { itemId: item!.id, vector: good },
        { itemId: crypto.randomUUID(), vector: good },
      ]),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await db.embeddings.count(fresh.id)).toBe(0);
    await expect(
      db.embeddings.upsertMany(crypto.randomUUID(), [{ itemId: item!.id, vector: good }]),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });

    const search = { modelId: fx.modelId, k: 5, mode: 'exact' as const };
    await expect(
      db.embeddings.search({ ...search, datasetId: crypto.randomUUID(), vector: good }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringMatching(/Unknown dataset/) as unknown,
    });
    await expect(
      db.embeddings.search({ ...search, datasetId: 'not-a-uuid', vector: good }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(
      db.embeddings.search({ ...search, datasetId: fx.datasetId, vector: good.slice(1) }),
    ).rejects.toMatchObject({ code: 'INVALID_VECTOR' });
    await expect(
      db.embeddings.search({ ...search, datasetId: fx.datasetId, vector: nan }),
    ).rejects.toMatchObject({
      code: 'INVALID_VECTOR',
    });
    await expect(
      db.embeddings.search({ ...search, datasetId: fx.datasetId, vector: good, after: 'garbage' }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });

    expect(await db.embeddings.count(fx.modelId)).toBe(before);
  });

  it('re-upserting an item replaces its vector instead of duplicating it', async () => {
    const [item] = await db.prisma.item.findMany({ take: 1, orderBy: { createdAt: 'asc' } });
    const unit = new Float32Array(DIMENSION);
    unit[0] = 1;
    await db.embeddings.upsertMany(fx.modelId, [{ itemId: item!.id, vector: unit }]);
    expect(await db.embeddings.count(fx.modelId)).toBe(COUNT);
    const page = await db.embeddings.search({
      datasetId: fx.datasetId,
      modelId: fx.modelId,
      vector: unit,
      k: 1,
      mode: 'exact',
    });
    expect(page.hits[0]?.itemId).toBe(item!.id);
    expect(page.hits[0]?.distance).toBeCloseTo(0, 6);
  });
});
