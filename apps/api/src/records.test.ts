/**
 * Records and identity by key (issue #12) over HTTP on both database modes: items ingested with a
 * record (ingestItems, a bulk ingestion and a manifest's record column) are fetched as `record` with their items; the same
 * content under two keys is two items whose image was featurised once; a repeated key is a
 * DUPLICATE with its content and KEY_CONFLICT with other content, within and across requests;
 * keyless items keep content idempotency; bad input is a typed error that writes nothing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_DATABASE_MODES } from '@concord/db/testing';
import { parseManifest } from '@concord/features';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Featurisers } from './featurisers.ts';
import { importItems, SYSTEM_PRINCIPAL } from './import/import-items.ts';
import { emojiTestCorpus } from './testing/emoji-corpus.ts';
import { startTestApp, waitFor, type TestApp } from './testing/harness.ts';
import { CREATE_DATASET, CREATE_SITE } from './testing/operations.ts';

const INGEST = `mutation($input: IngestItemsInput!) {
  ingestItems(input: $input) {
    created duplicates failed
    results { index key status errorCode error item { id externalKey site { name } labels { name } record { key } } }
    errors { code message field }
  }
}`;
const RECORD = `query($datasetId: ID!, $key: String!) {
  record(datasetId: $datasetId, key: $key) {
    key itemCount createdAt dataset { id }
    items { id externalKey modality record { key itemCount } }
  }
}`;
const START = `mutation($input: StartBulkIngestionInput!) {
  startBulkIngestion(input: $input) { ingestion { id } errors { code message field } }
}`;
const BULK = `query($id: ID!) {
  bulkIngestion(id: $id) {
    status created duplicates failed
    results(first: 20) { edges { node { key status errorCode item { id } } } }
  }
}`;
const ITEM_COUNT = `query($datasetId: ID!) { items(datasetId: $datasetId) { totalCount } }`;

interface Result {
  index: number;
  key: string | null;
  status: 'CREATED' | 'DUPLICATE' | 'FAILED';
  errorCode: string | null;
  error: string | null;
  item: {
    id: string;
    externalKey: string | null;
    site: { name: string };
    labels: { name: string }[];
    record: { key: string } | null;
  } | null;
}
interface IngestData {
  ingestItems: {
    created: number;
    duplicates: number;
    failed: number;
    results: Result[];
    errors: { code: string; message: string; field: string[] | null }[];
  };
}
interface RecordData {
  record: {
    key: string;
    itemCount: number;
    createdAt: string;
    dataset: { id: string };
    items: {
      id: string;
      externalKey: string;
      modality: string;
      record: { key: string; itemCount: number };
    }[];
  } | null;
}

const SITES: [string, string] = ['north', 'south'];

/** Counts the images that reach the dataset's CNN (the real one, wrapped). */
function countImages(featurisers: Featurisers): { images: number } {
  const counter = { images: 0 };
  const original = featurisers.imageFeaturiser.bind(featurisers);
  featurisers.imageFeaturiser = async (id) => {
    const f = await original(id);
    return {
      id: f.id,
      version: f.version,
      dims: f.dims,
      inputSize: f.inputSize,
      featurise: (images) => {
        counter.images += images.length;
        return f.featurise(images);
      },
      dispose: () => undefined,
    };
  };
  return counter;
}

describe.each(TEST_DATABASE_MODES)('records and identity by key ($name)', (mode) => {
  let t: TestApp;
  let datasetId = '';
  let cnn: { images: number };
  const corpus = emojiTestCorpus(1, SITES);
  const [flag, smiley, cat] = corpus.images;
  const image = (key: string | null, content = flag!, extra: Record<string, unknown> = {}) => ({
    ...(key !== null ? { key } : {}),
    site: SITES[0],
    labels: ['flags'],
    base64: content.base64,
    modality: 'IMAGE',
    ...extra,
  });
  const ingest = async (items: Record<string, unknown>[]) => {
    const response = await t.gql<IngestData>(INGEST, {
      input: { datasetId, createLabels: true, items },
    });
    expect(response.errors).toBeUndefined();
    return response.data.ingestItems;
  };
  const itemCount = async () =>
    (await t.gql<{ items: { totalCount: number } }>(ITEM_COUNT, { datasetId })).data.items
      .totalCount;
  const record = (key: string, id = datasetId) => t.gql<RecordData>(RECORD, { datasetId: id, key });

  beforeAll(async () => {
    t = await startTestApp(mode);
    const created = await t.gql<{ createDataset: { dataset: { id: string } } }>(CREATE_DATASET, {
      input: { name: `records-${mode.name}`, dimension: 8 },
    });
    datasetId = created.data.createDataset.dataset.id;
    for (const site of SITES) await t.gql(CREATE_SITE, { datasetId, name: site });
    cnn = countImages(t.app.deps.featurisers);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('stores two keys with one content as two items, featurising the image once', async () => {
    const first = await ingest([
      image('flag-a.png', flag, { labels: ['flags', 'red'], record: 'flag-a' }),
      image('flag-b.png', flag, { site: SITES[1], labels: ['banners'], record: 'flag-b' }),
    ]);
    expect(first).toMatchObject({ created: 2, duplicates: 0, failed: 0 });
    const [a, b] = first.results;
    expect(a!.item!.id).not.toBe(b!.item!.id);
    expect(a!.item).toMatchObject({
      externalKey: 'flag-a.png',
      site: { name: SITES[0] },
      record: { key: 'flag-a' },
    });
    expect(a!.item!.labels.map((l) => l.name).sort()).toEqual(['flags', 'red']);
    expect(b!.item).toMatchObject({
      externalKey: 'flag-b.png',
      site: { name: SITES[1] },
      record: { key: 'flag-b' },
    });
    expect(b!.item!.labels.map((l) => l.name)).toEqual(['banners']);
    expect(cnn.images).toBe(1);

    // A third key in a later request: the stored vector is reused, the CNN does not run.
    const later = await ingest([image('flag-c.png')]);
    expect(later).toMatchObject({ created: 1, duplicates: 0, failed: 0 });
    expect(cnn.images).toBe(1);
    const ids = [a!.item!.id, b!.item!.id, later.results[0]!.item!.id];
    const vectors = await t.app.deps.repos.items.featureVectorsOf(
      ids,
      t.app.deps.featurisers.defaultImageId,
    );
    expect(vectors.size).toBe(3);
    for (const id of ids)
      expect(Array.from(vectors.get(id)!)).toEqual(Array.from(vectors.get(ids[0]!)!));
  }, 300_000);

  it('answers a repeated key with DUPLICATE for its content and KEY_CONFLICT for other content', async () => {
    const before = await itemCount();
    const within = await ingest([
      image('smiley.png', smiley),
      image('smiley.png', smiley),
      image('smiley.png', cat),
    ]);
    expect(within.results.map((r) => [r.status, r.errorCode])).toEqual([
      ['CREATED', null],
      ['DUPLICATE', null],
      ['FAILED', 'KEY_CONFLICT'],
    ]);
    expect(within.results[1]!.item!.id).toBe(within.results[0]!.item!.id);
    expect(within.results[2]!.error).toMatch(/smiley\.png.*already names other image content/);

    const across = await ingest([image('smiley.png', smiley), image('flag-a.png', cat)]);
    expect(across.results.map((r) => [r.status, r.errorCode])).toEqual([
      ['DUPLICATE', null],
      ['FAILED', 'KEY_CONFLICT'],
    ]);
    expect(across.results[0]!.item!.id).toBe(within.results[0]!.item!.id);
    expect(await itemCount()).toBe(before + 1);
  }, 300_000);

  it('keeps content idempotency for keyless items', async () => {
    const before = await itemCount();
    // The cat is not stored yet (the KEY_CONFLICTs above refused it).
    const within = await ingest([image(null, cat), image(null, cat)]);
    expect(within.results.map((r) => r.status)).toEqual(['CREATED', 'DUPLICATE']);
    expect(within.results[1]!.item!.id).toBe(within.results[0]!.item!.id);
    const across = await ingest([image(null, cat)]);
    expect(across.results[0]).toMatchObject({ status: 'DUPLICATE' });
    expect(across.results[0]!.item!.id).toBe(within.results[0]!.item!.id);
    // Content stored under keys only: a keyless item of it is a new item.
    const flagKeyless = await ingest([image(null, flag)]);
    expect(flagKeyless.results[0]).toMatchObject({ status: 'CREATED' });
    expect(await itemCount()).toBe(before + 2);
  }, 300_000);

  it('links items as a record, through ingestItems and a bulk ingestion', async () => {
    const pair = await ingest([
      image('cat.png', cat, { record: 'cat-1', labels: ['animals'] }),
      { key: 'cat.txt', site: SITES[0], labels: ['animals'], text: 'a cat face', record: 'cat-1' },
    ]);
    expect(pair.created).toBe(2);
    expect(pair.results.map((r) => r.item?.record)).toEqual([{ key: 'cat-1' }, { key: 'cat-1' }]);

    const started = await t.gql<{
      startBulkIngestion: { ingestion: { id: string } | null; errors: unknown[] };
    }>(START, {
      input: {
        datasetId,
        createLabels: true,
        items: [
          {
            key: 'cat-caption',
            site: SITES[1],
            labels: ['animals'],
            text: 'grinning cat',
            record: 'cat-1',
          },
          {
            key: 'dog-caption',
            site: SITES[1],
            labels: ['animals'],
            text: 'a dog',
            record: 'dog-1',
          },
        ],
      },
    });
    expect(started.data.startBulkIngestion.errors).toEqual([]);
    const bulkId = started.data.startBulkIngestion.ingestion!.id;
    const done = await waitFor(
      async () => {
        const b = (
          await t.gql<{ bulkIngestion: { status: string; created: number } }>(BULK, { id: bulkId })
        ).data.bulkIngestion;
        return b.status === 'SUCCEEDED' ? b : undefined;
      },
      120_000,
      'the bulk ingestion',
    );
    expect(done.created).toBe(2);

    const cat1 = await record('cat-1');
    expect(cat1.errors).toBeUndefined();
    expect(cat1.data.record).toMatchObject({
      key: 'cat-1',
      itemCount: 3,
      dataset: { id: datasetId },
    });
    expect(cat1.data.record!.items.map((i) => [i.externalKey, i.modality])).toEqual([
      ['cat.png', 'IMAGE'],
      ['cat.txt', 'TEXT'],
      ['cat-caption', 'TEXT'],
    ]);
    expect(cat1.data.record!.items[0]!.record).toEqual({ key: 'cat-1', itemCount: 3 });
    expect(Date.parse(cat1.data.record!.createdAt)).toBeGreaterThan(0);
    expect((await record('dog-1')).data.record).toMatchObject({ itemCount: 1 });
  }, 300_000);

  it("imports a manifest whose record column links its rows (the import CLI's path)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'records-manifest-'));
    try {
      writeFileSync(join(dir, 'smiley.png'), Buffer.from(smiley!.base64!, 'base64'));
      const manifest = parseManifest(
        [
          'id,path,text,modality,labels,site,record',
          `manifest-smiley.png,smiley.png,,image,faces,${SITES[0]},smiley-1`,
          `manifest-smiley.txt,,a grinning face,text,faces,${SITES[1]},smiley-1`,
          `manifest-plain.txt,,no record here,text,faces,${SITES[0]},`,
        ].join('\n'),
        'csv',
        dir,
      );
      const summary = await importItems(t.app.deps, SYSTEM_PRINCIPAL, manifest, {
        datasetId,
        createLabels: true,
      });
      // The image's content is stored already under 'smiley.png': a new key makes a new item.
      expect(summary).toMatchObject({ created: 3, duplicates: 0, failed: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const smiley1 = await record('smiley-1');
    expect(smiley1.errors).toBeUndefined();
    expect(smiley1.data.record).toMatchObject({ key: 'smiley-1', itemCount: 2 });
    expect(smiley1.data.record!.items.map((i) => [i.externalKey, i.modality]).sort()).toEqual([
      ['manifest-smiley.png', 'IMAGE'],
      ['manifest-smiley.txt', 'TEXT'],
    ]);
  }, 300_000);

  it('refuses bad record input with a typed error and writes nothing', async () => {
    const before = await itemCount();
    const unknown = await record('no-such-record');
    expect(unknown.errors).toBeUndefined();
    expect(unknown.data.record).toBeNull();
    const tooLong = await record('r'.repeat(201));
    expect(tooLong.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const otherDataset = await record('cat-1', '00000000-0000-4000-8000-000000000000');
    expect(otherDataset.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const refused = await t.gql<IngestData>(INGEST, {
      input: {
        datasetId,
        createLabels: true,
        items: [
          { key: 'ok.txt', site: SITES[0], labels: ['x'], text: 'fine', record: 'fine' },
          { key: 'long.txt', site: SITES[0], labels: ['x'], text: 'long', record: 'r'.repeat(201) },
        ],
      },
    });
    expect(refused.data.ingestItems.errors).toEqual([
      expect.objectContaining({ code: 'BAD_USER_INPUT', field: ['input', 'items', '1', 'record'] }),
    ]);
    expect(refused.data.ingestItems.created).toBe(0);
    expect(await itemCount()).toBe(before);
    expect((await record('fine')).data.record).toBeNull();
  }, 120_000);
});
