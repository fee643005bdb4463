/**
 * Pre-extracted vectors into the platform, on both database modes, with the real Wikipedia
 * benchmark (SIFT image and LDA text features; /work/shared/datasets, read in place, never copied
 * into the repository): a subset written to temp .npy / JSONL / CSV files goes through
 * `importVectors` into a dataset whose image and text features are both imported, trains, and
 * beats a random ranking of the same test labels; search by features and by item returns the
 * other modality; a re-import stores nothing; bad rows fail alone with their row numbers; raw
 * content into an imported modality and a vector into a CNN modality are refused.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_DATABASE_MODES } from '@concord/db/testing';
import { parseNpy, streamVectorFile, writeNpyFloat32, type StreamArgs } from '@concord/features';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, waitFor, type TestApp } from '../testing/harness.ts';
import { INGEST, RUN, START_RUN } from '../testing/operations.ts';
import { importVectors, type ImportVectorsArgs } from './import-vectors.ts';
import { SYSTEM_PRINCIPAL } from './import-items.ts';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const WIKIPEDIA = join(REPO, '..', 'shared', 'datasets', 'wikipedia-classic');
const CLASSES = 'art biology geography history literature media music royalty sport warfare'.split(
  ' ',
);
const TRAIN = 400;
const TEST = 150;
const TINY = { hiddenSizes: [16], splEpochs: 2, rscEpochs: 3, batchSize: 16, seed: 3 };

/** Rows [0, n) of a 2-D float .npy as Float32Arrays, and the width. */
function npyRows(file: string, n: number): { rows: Float32Array[]; dims: number } {
  const arr = parseNpy(readFileSync(join(WIKIPEDIA, file)));
  const dims = arr.shape[1]!;
  return {
    rows: Array.from({ length: n }, (_, i) =>
      Float32Array.from(arr.data.subarray(i * dims, (i + 1) * dims)),
    ),
    dims,
  };
}

function labelIds(file: string, n: number): number[] {
  return Array.from(parseNpy(readFileSync(join(WIKIPEDIA, file))).data.subarray(0, n));
}

/**
 * E[AP] of a uniformly random ranking of N items of which R are relevant: a relevant item is at
 * position k (uniform in 1..N) and each of the other R−1 is among the k−1 before it with
 * probability (k−1)/(N−1), so its expected precision is (1 + (k−1)(R−1)/(N−1))/k.
 */
function randomAp(r: number, n: number): number {
  let sum = 0;
  for (let k = 1; k <= n; k++) sum += (1 + ((k - 1) * (r - 1)) / (n - 1)) / k;
  return sum / n;
}

/** Random-ranking mAP of single-label queries against a database with the same labels. */
function randomMap(labels: number[]): number {
  const count = new Map<number, number>();
  for (const c of labels) count.set(c, (count.get(c) ?? 0) + 1);
  return labels.reduce((s, c) => s + randomAp(count.get(c)!, labels.length), 0) / labels.length;
}

const CREATE = `mutation($input: CreateDatasetInput!) {
  createDataset(input: $input) {
    dataset { id featurisers imageFeaturiser { id } modalityFeaturisers { modality id kind dimension } }
    errors { code message field }
  }
}`;
const START_BULK = `mutation($input: StartBulkIngestionInput!) {
  startBulkIngestion(input: $input) { ingestion { id } errors { code message } }
}`;
const BULK = `query($id: ID!) { bulkIngestion(id: $id) { status created duplicates failed } }`;
const COUNT = `query($id: ID!) { dataset(id: $id) { itemCount } }`;
const SEARCH = `query($datasetId: ID!, $query: SearchQueryInput!, $target: Modality) {
  search(datasetId: $datasetId, query: $query, targetModality: $target, first: 10, mode: EXACT) {
    edges { node { score item { id modality externalKey } } }
  }
}`;

describe.each(TEST_DATABASE_MODES)('imported feature vectors ($name)', (mode) => {
  let t: TestApp;
  let datasetId = '';
  const dir = mkdtempSync(join(tmpdir(), 'concord-vectors-'));
  const trainImage = npyRows('train_image.npy', TRAIN);
  const trainText = npyRows('train_text.npy', TRAIN);
  const testImage = npyRows('test_image.npy', TEST);
  const testText = npyRows('test_text.npy', TEST);
  const trainLabels = labelIds('train_labels.npy', TRAIN);
  const testLabels = labelIds('test_labels.npy', TEST);
  const files = {
    trainImage: join(dir, 'train_image.npy'),
    trainLabels: join(dir, 'train_labels.npy'),
    trainText: join(dir, 'train_text.jsonl'),
    testImage: join(dir, 'test_image.csv'),
    testText: join(dir, 'test_text.jsonl'),
    bad: join(dir, 'bad.jsonl'),
  };

  const run = (path: string, args: StreamArgs, opts: Omit<ImportVectorsArgs, 'datasetId'>) =>
    importVectors(t.app.deps, SYSTEM_PRINCIPAL, streamVectorFile(path, args), {
      datasetId,
      createLabels: true,
      ...opts,
    });

  beforeAll(async () => {
    // .npy features with a multi-hot labels .npy; JSONL rows; a CSV with id, labels, site columns.
    writeFileSync(files.trainImage, writeNpyFloat32(trainImage.rows, trainImage.dims));
    const multiHot = trainLabels.map((c) =>
      Float32Array.from(CLASSES, (_, k) => (k === c ? 1 : 0)),
    );
    writeFileSync(files.trainLabels, writeNpyFloat32(multiHot, CLASSES.length));
    const jsonl = (rows: Float32Array[], labels: number[], prefix: string) =>
      rows
        .map((v, i) =>
          JSON.stringify({ id: `${prefix}-${i}`, vector: [...v], labels: [CLASSES[labels[i]!]] }),
        )
        .join('\n') + '\n';
    writeFileSync(files.trainText, jsonl(trainText.rows, trainLabels, 'text'));
    writeFileSync(files.testText, jsonl(testText.rows, testLabels, 'test-text'));
    const header = ['id', 'label', 'site', ...Array.from(testImage.rows[0]!, (_, j) => `f${j}`)];
    writeFileSync(
      files.testImage,
      [
        header.join(','),
        ...testImage.rows.map((v, i) =>
          [`test-image-${i}`, CLASSES[testLabels[i]!], 'wiki', ...v].join(','),
        ),
      ].join('\n') + '\n',
    );
    t = await startTestApp(mode);
    const created = await t.gql<{
      createDataset: {
        dataset: {
          id: string;
          imageFeaturiser: unknown;
          modalityFeaturisers: unknown[];
        } | null;
      };
    }>(CREATE, {
      input: {
        name: `wikipedia-${mode.name}`,
        dimension: 16,
        importedFeatures: [
          { modality: 'IMAGE', name: 'sift', dimension: trainImage.dims },
          { modality: 'TEXT', name: 'lda', dimension: trainText.dims },
        ],
      },
    });
    const dataset = created.data.createDataset.dataset!;
    datasetId = dataset.id;
    expect(dataset.imageFeaturiser).toBeNull();
    expect(dataset.modalityFeaturisers).toEqual([
      { modality: 'IMAGE', id: 'vectors/sift', kind: 'IMPORTED', dimension: 128 },
      { modality: 'TEXT', id: 'vectors/lda', kind: 'IMPORTED', dimension: 10 },
    ]);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports .npy (with a labels file), JSONL and CSV feature files', async () => {
    const image = await run(
      files.trainImage,
      { labels: readFileSync(files.trainLabels), classNames: CLASSES },
      { modality: 'image', defaultSite: 'wiki', split: 'TRAIN' },
    );
    expect(image).toMatchObject({ created: TRAIN, duplicates: 0, failed: 0 });
    const text = await run(
      files.trainText,
      {},
      {
        modality: 'text',
        defaultSite: 'wiki',
        split: 'TRAIN',
      },
    );
    expect(text).toMatchObject({ created: TRAIN, failed: 0 });
    const testImages = await run(files.testImage, {}, { modality: 'image', split: 'TEST' });
    expect(testImages).toMatchObject({ created: TEST, failed: 0 });
    const testTexts = await run(
      files.testText,
      {},
      {
        modality: 'text',
        defaultSite: 'wiki',
        split: 'TEST',
      },
    );
    expect(testTexts).toMatchObject({ created: TEST, failed: 0 });
    const vectors = await t.app.deps.repos.items.featureVectorsOf(
      [(await t.app.deps.repos.items.list({ datasetId, first: 1 })).rows[0]!.id],
      'vectors/sift',
    );
    expect([...vectors.values()][0]).toHaveLength(128);
  }, 300_000);

  it('re-importing a file stores nothing twice', async () => {
    const again = await run(files.trainText, {}, { modality: 'text', defaultSite: 'wiki' });
    expect(again).toMatchObject({ created: 0, duplicates: TRAIN, failed: 0 });
    const count = await t.gql<{ dataset: { itemCount: number } }>(COUNT, { id: datasetId });
    expect(count.data.dataset.itemCount).toBe(2 * (TRAIN + TEST));
  }, 120_000);

  it('stores every good row of a file with a NaN row and a wrong-dimension row, and reports those two', async () => {
    const fresh = (seed: number) => Array.from({ length: 10 }, (_, j) => (seed * 10 + j + 1) / 7);
    const lines = [
      { id: 'ok-1', vector: fresh(1), labels: ['art'] },
      { id: 'nan', vector: [...fresh(2).slice(0, 9), 'NaN'], labels: ['art'] },
      { id: 'ok-2', vector: fresh(3), labels: ['music'] },
      { id: 'short', vector: fresh(4).slice(0, 9), labels: ['music'] },
      { id: 'ok-3', vector: fresh(5), labels: ['sport'] },
    ];
    writeFileSync(files.bad, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const before = (await t.gql<{ dataset: { itemCount: number } }>(COUNT, { id: datasetId })).data
      .dataset.itemCount;
    // The reader takes the dimension from the first row; the dataset's own (10) is checked too.
    const summary = await run(files.bad, {}, { modality: 'text', defaultSite: 'wiki' });
    expect(summary).toMatchObject({ created: 3, duplicates: 0, failed: 2 });
    expect(summary.errors.map((e) => [e.row, e.key, e.code])).toEqual([
      [2, 'nan', 'BAD_VECTOR'],
      [4, 'short', 'BAD_VECTOR'],
    ]);
    const after = (await t.gql<{ dataset: { itemCount: number } }>(COUNT, { id: datasetId })).data
      .dataset.itemCount;
    expect(after).toBe(before + 3);
    // Clean up so the training set is the benchmark's.
    for (const key of ['ok-1', 'ok-2', 'ok-3']) {
      const page = await t.app.deps.repos.items.list({ datasetId, first: 2000 });
      const item = page.rows.find((r) => r.externalKey === key)!;
      await t.app.deps.repos.items.delete(item.id);
    }
  }, 120_000);

  it('stores vectors through a bulk-ingestion job: staged as float32 bytes, a known one a duplicate', async () => {
    const fresh = [0.25, -1.5, 3.125, 7, 0.5, 0.75, 1, 2, 4, 8];
    const started = await t.gql<{ startBulkIngestion: { ingestion: { id: string } | null } }>(
      START_BULK,
      {
        input: {
          datasetId,
          createLabels: true,
          items: [
            { key: 'bulk-new', site: 'wiki', labels: ['media'], modality: 'TEXT', vector: fresh },
            // A stored row's key and vector again: a duplicate of it.
            {
              key: 'text-0',
              site: 'wiki',
              labels: ['art'],
              modality: 'TEXT',
              vector: [...trainText.rows[0]!],
            },
          ],
        },
      },
    );
    const id = started.data.startBulkIngestion.ingestion!.id;
    const bulk = await waitFor(
      async () => {
        const read = await t.gql<{
          bulkIngestion: { status: string; created: number; duplicates: number; failed: number };
        }>(BULK, { id });
        return read.data.bulkIngestion.status === 'SUCCEEDED' ? read.data.bulkIngestion : undefined;
      },
      120_000,
      'the bulk ingestion',
    );
    expect(bulk).toMatchObject({ created: 1, duplicates: 1, failed: 0 });
    const page = await t.app.deps.repos.items.list({ datasetId, first: 2000 });
    const item = page.rows.find((r) => r.externalKey === 'bulk-new')!;
    const stored = await t.app.deps.repos.items.featureVectorsOf([item.id], 'vectors/lda');
    // These values are exact in float32.
    expect([...stored.get(item.id)!]).toEqual(fresh);
    await t.app.deps.repos.items.delete(item.id);
  }, 180_000);

  it('refuses raw content for an imported modality and a vector for a CNN modality, writing nothing', async () => {
    const raw = await t.gql<{
      ingestItems: { errors: { code: string; field: string[] }[]; created: number | null };
    }>(INGEST, {
      input: {
        datasetId,
        createLabels: true,
        items: [{ site: 'wiki', labels: ['art'], text: 'a painting' }],
      },
    });
    expect(raw.data.ingestItems.errors[0]).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: ['input', 'items', '0', 'text'],
    });
    const wrongSize = await t.gql<{ ingestItems: { errors: { code: string; field: string[] }[] } }>(
      INGEST,
      {
        input: {
          datasetId,
          createLabels: true,
          items: [{ site: 'wiki', labels: ['art'], modality: 'TEXT', vector: [1, 2, 3] }],
        },
      },
    );
    expect(wrongSize.data.ingestItems.errors[0]).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: ['input', 'items', '0', 'vector'],
    });
    const cnn = await t.gql<{ createDataset: { dataset: { id: string } } }>(CREATE, {
      input: { name: `cnn-${mode.name}`, dimension: 16 },
    });
    const cnnId = cnn.data.createDataset.dataset.id;
    await t.gql(
      `mutation($id: ID!) { createSite(datasetId: $id, input: { name: "wiki" }) { site { id } } }`,
      {
        id: cnnId,
      },
    );
    const vector = await t.gql<{ ingestItems: { errors: { code: string; field: string[] }[] } }>(
      INGEST,
      {
        input: {
          datasetId: cnnId,
          createLabels: true,
          items: [
            { site: 'wiki', labels: ['art'], modality: 'IMAGE', vector: [...testImage.rows[0]!] },
          ],
        },
      },
    );
    expect(vector.data.ingestItems.errors[0]).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: ['input', 'items', '0', 'vector'],
    });
    // Raw bytes may not pose as a staged vector.
    const posing = await t.gql<{ ingestItems: { errors: { code: string; field: string[] }[] } }>(
      INGEST,
      {
        input: {
          datasetId: cnnId,
          createLabels: true,
          items: [
            {
              site: 'wiki',
              labels: ['art'],
              base64: Buffer.from(new Float32Array(4).buffer).toString('base64'),
              mimeType: 'application/x.concord.float32-vector',
            },
          ],
        },
      },
    );
    expect(posing.data.ingestItems.errors[0]).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: ['input', 'items', '0', 'mimeType'],
    });
    const counts = await Promise.all(
      [datasetId, cnnId].map(
        async (id) =>
          (await t.gql<{ dataset: { itemCount: number } }>(COUNT, { id })).data.dataset.itemCount,
      ),
    );
    expect(counts).toEqual([2 * (TRAIN + TEST), 0]);
  }, 120_000);

  it('trains on the imported vectors, beats a random ranking, and searches by features and by item', async () => {
    const started = await t.gql<{ startTrainingRun: { run: { id: string } | null } }>(START_RUN, {
      datasetId,
      config: TINY,
    });
    const runId = started.data.startTrainingRun.run!.id;
    const finished = await waitFor(
      async () => {
        const read = await t.gql<{
          trainingRun: {
            status: string;
            error: string | null;
            model: { id: string; meanMap: number; metrics: Record<string, unknown> } | null;
          };
        }>(RUN, { id: runId });
        const r = read.data.trainingRun;
        return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(r.status) ? r : undefined;
      },
      540_000,
      'the training run',
    );
    expect(finished).toMatchObject({ status: 'SUCCEEDED', error: null });
    const random = randomMap(testLabels);
    const measured = finished.model!.meanMap;
    console.log(
      `wikipedia (${mode.name}): held-out mAP ${measured.toFixed(4)}, random ${random.toFixed(4)}`,
    );
    expect(measured).toBeGreaterThan(random);
    const networks = await t.app.deps.repos.models.modality(finished.model!.id, 'text');
    expect(networks).toMatchObject({ featuriserId: 'vectors/lda', featuriserState: null });

    type Hits = { search: { edges: { node: { item: { id: string; modality: string } } }[] } };
    const byFeatures = await t.gql<Hits>(SEARCH, {
      datasetId,
      query: { features: [...testImage.rows[0]!], featuresModality: 'IMAGE' },
      target: 'TEXT',
    });
    expect(byFeatures.errors).toBeUndefined();
    expect(byFeatures.data.search.edges).toHaveLength(10);
    expect(byFeatures.data.search.edges.every((e) => e.node.item.modality === 'TEXT')).toBe(true);

    const image = (await t.app.deps.repos.items.list({ datasetId, modality: 'image', first: 1 }))
      .rows[0]!;
    const byItem = await t.gql<Hits>(SEARCH, {
      datasetId,
      query: { itemId: image.id },
      target: 'TEXT',
    });
    expect(byItem.errors).toBeUndefined();
    expect(byItem.data.search.edges.every((e) => e.node.item.modality === 'TEXT')).toBe(true);

    const byText = await t.gql(SEARCH, { datasetId, query: { text: 'a battle' }, target: 'IMAGE' });
    expect(byText.errors?.[0]?.extensions?.code).toBe('FAILED_PRECONDITION');
    expect(byText.errors?.[0]?.message).toMatch(/text features are imported/);
    const badFeatures = await t.gql(SEARCH, {
      datasetId,
      query: { features: [1, 2], featuresModality: 'TEXT' },
    });
    expect(badFeatures.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  }, 600_000);
});
