/**
 * The image featuriser is the dataset's, on both database modes, in one server: datasets created
 * with InceptionV3 (2048-d), MobileNetV2 (1280-d, the default) and a user TF.js model from
 * CONCORD_MODELS_DIR side by side, every vector recording the featuriser's id and version, bulk
 * ingestion and search by image using the dataset's CNN, and unknown or path-like choices refused
 * without writing anything.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_DATABASE_MODES } from '@concord/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emojiTestCorpus, type CorpusItem } from './testing/emoji-corpus.ts';
import { startTestApp, waitFor, type TestApp } from './testing/harness.ts';
import { CREATE_SITE, INGEST, RUN, START_RUN } from './testing/operations.ts';
import { USER_MODEL_SIZE, writeChannelMeansModel } from './testing/user-model.ts';

const LIST = `{ imageFeaturisers { id kind dims inputSize description } }`;
const CREATE = `mutation($input: CreateDatasetInput!) {
  createDataset(input: $input) {
    dataset { id featurisers imageFeaturiser { id kind dims inputSize } }
    errors { code message field }
  }
}`;
const START_BULK = `mutation($input: StartBulkIngestionInput!) {
  startBulkIngestion(input: $input) { ingestion { id } errors { code message } }
}`;
const BULK = `query($id: ID!) { bulkIngestion(id: $id) { status created failed } }`;
const SEARCH = `query($datasetId: ID!, $image: String!) {
  search(datasetId: $datasetId, query: { image: $image }, targetModality: IMAGE, first: 1, mode: EXACT) {
    edges { node { score item { externalKey } } }
  }
}`;
const SITES: [string, string] = ['north-plant', 'south-plant'];
const TINY = {
  hiddenSizes: [16],
  splEpochs: 2,
  rscEpochs: 2,
  batchSize: 8,
  textDimensions: 8,
  seed: 3,
};

interface Info {
  id: string;
  kind: string;
  dims: number | null;
  inputSize: number | null;
  description?: string;
}
interface Created {
  createDataset: {
    dataset: { id: string; featurisers: { image: string }; imageFeaturiser: Info } | null;
    errors: { code: string; message: string; field: string[] | null }[];
  };
}
interface VectorGroup {
  id: string;
  version: string;
  dims: number;
  n: number;
}

const toInput = (item: CorpusItem) => ({
  key: item.key,
  site: item.site,
  labels: [item.label],
  split: item.split,
  ...(item.base64 ? { base64: item.base64 } : { text: item.text }),
});

describe.each(TEST_DATABASE_MODES)('image featurisers per dataset ($name)', (mode) => {
  let t: TestApp;
  let modelsDir = '';
  const corpus = emojiTestCorpus(4, SITES);
  const spare = emojiTestCorpus(6, SITES).images.filter(
    (image) => !corpus.images.some((c) => c.key === image.key),
  );

  const create = async (name: string, imageFeaturiser?: string) =>
    (
      await t.gql<Created>(CREATE, {
        input: {
          name,
          dimension: 8,
          ...(imageFeaturiser !== undefined ? { imageFeaturiser } : {}),
        },
      })
    ).data.createDataset;

  const setUp = async (name: string, imageFeaturiser?: string) => {
    const created = await create(name, imageFeaturiser);
    expect(created.errors).toEqual([]);
    const datasetId = created.dataset!.id;
    for (const site of SITES) await t.gql(CREATE_SITE, { datasetId, name: site });
    return { datasetId, dataset: created.dataset! };
  };

  const ingest = async (datasetId: string, items: CorpusItem[]) => {
    const answer = await t.gql<{ ingestItems: { created: number; failed: number } }>(INGEST, {
      input: { datasetId, createLabels: true, items: items.map(toInput) },
    });
    expect(answer.errors).toBeUndefined();
    expect(answer.data.ingestItems).toMatchObject({ created: items.length, failed: 0 });
  };

  /** The stored image vectors of a dataset by featuriser id, version and size. */
  const vectors = (datasetId: string) =>
    t.app.deps.db.sql.query<VectorGroup>(
      `SELECT fv.featuriser_id AS id, fv.featuriser_version AS version, fv.dimension AS dims,
              count(*)::int AS n
         FROM feature_vector fv JOIN item i ON i.id = fv.item_id
        WHERE i.dataset_id = $1::uuid
        GROUP BY 1, 2, 3 ORDER BY min(fv.created_at)`,
      [datasetId],
    );
  const datasetCount = async () =>
    (await t.app.deps.db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM dataset`))[0]!.n;

  beforeAll(async () => {
    modelsDir = await mkdtemp(join(tmpdir(), 'concord-models-'));
    await writeChannelMeansModel(join(modelsDir, 'channel-means'));
    // Listed, but it cannot be loaded (its weight shard is missing): refused at creation.
    await mkdir(join(modelsDir, 'broken'));
    await writeFile(
      join(modelsDir, 'broken', 'model.json'),
      JSON.stringify({ weightsManifest: [{ paths: ['gone.bin'], weights: [] }] }),
    );
    // None is offered: a folder without model.json, a hidden folder, a file.
    await mkdir(join(modelsDir, 'no-model'));
    await writeChannelMeansModel(join(modelsDir, '.hidden'));
    await writeFile(join(modelsDir, 'model.json'), '{}');
    t = await startTestApp(mode, { CONCORD_MODELS_DIR: modelsDir });
  }, 300_000);
  afterAll(async () => {
    await t?.close();
    await rm(modelsDir, { recursive: true, force: true });
  });

  it('lists the built-in CNNs and the user models of CONCORD_MODELS_DIR', async () => {
    const answer = await t.gql<{ imageFeaturisers: Info[] }>(LIST);
    expect(answer.errors).toBeUndefined();
    expect(
      answer.data.imageFeaturisers.map(({ id, kind, dims, inputSize }) => ({
        id,
        kind,
        dims,
        inputSize,
      })),
    ).toEqual([
      { id: 'nsfwjs/mobilenet_v2', kind: 'BUILTIN', dims: 1280, inputSize: 224 },
      { id: 'nsfwjs/inception_v3', kind: 'BUILTIN', dims: 2048, inputSize: 299 },
      { id: 'user/broken', kind: 'USER', dims: null, inputSize: null },
      { id: 'user/channel-means', kind: 'USER', dims: 3, inputSize: USER_MODEL_SIZE },
    ]);
    const broken = answer.data.imageFeaturisers.find((f) => f.id === 'user/broken')!;
    expect(broken.description).toMatch(/cannot be loaded: weight shard gone\.bin .* is missing/);
    for (const f of answer.data.imageFeaturisers) expect(f.description).not.toContain(modelsDir);
  });

  it('refuses an unknown or path-like featuriser on input.imageFeaturiser and writes nothing', async () => {
    const before = await datasetCount();
    for (const given of [
      'nsfwjs/resnet50',
      'mobilenet_v2',
      'user/no-model',
      'user/broken',
      'user/.hidden',
      'user/../channel-means',
      'user/channel-means/..',
      'user/channel-means/../channel-means',
      `user/${join(modelsDir, 'channel-means')}`,
      join(modelsDir, 'channel-means'),
      '../../etc/passwd',
      'user/',
      '',
    ]) {
      const answer = await create(`refused ${given}`, given);
      expect(answer.dataset, given).toBeNull();
      expect(answer.errors, given).toEqual([
        expect.objectContaining({ code: 'BAD_USER_INPUT', field: ['input', 'imageFeaturiser'] }),
      ]);
    }
    expect(await datasetCount()).toBe(before);
  });

  let inceptionId = '';

  it('stores 2048-d InceptionV3 and 1280-d MobileNetV2 vectors side by side, with id and version; bulk ingestion too', async () => {
    const inception = await setUp('inception', 'nsfwjs/inception_v3');
    inceptionId = inception.datasetId;
    expect(inception.dataset.featurisers.image).toBe('nsfwjs/inception_v3');
    expect(inception.dataset.imageFeaturiser).toEqual({
      id: 'nsfwjs/inception_v3',
      kind: 'BUILTIN',
      dims: 2048,
      inputSize: 299,
    });
    const mobilenet = await setUp('mobilenet'); // no choice: the server's IMAGE_FEATURISER
    expect(mobilenet.dataset.imageFeaturiser.id).toBe('nsfwjs/mobilenet_v2');

    await ingest(inceptionId, [...corpus.images, ...corpus.texts]);
    await ingest(mobilenet.datasetId, corpus.images.slice(0, 3));
    // The bulk-ingestion job runs on the worker with the dataset's CNN too.
    const started = await t.gql<{ startBulkIngestion: { ingestion: { id: string } } }>(START_BULK, {
      input: { datasetId: inceptionId, createLabels: true, items: spare.slice(0, 2).map(toInput) },
    });
    const id = started.data.startBulkIngestion.ingestion.id;
    const bulk = await waitFor(
      async () => {
        const read = await t.gql<{ bulkIngestion: { status: string; created: number } }>(BULK, {
          id,
        });
        return read.data.bulkIngestion.status === 'SUCCEEDED' ? read.data.bulkIngestion : undefined;
      },
      240_000,
      'the bulk ingestion',
    );
    expect(bulk.created).toBe(2);

    const [inceptionVectors, mobilenetVectors] = [
      await vectors(inceptionId),
      await vectors(mobilenet.datasetId),
    ];
    expect(inceptionVectors).toEqual([
      {
        id: 'nsfwjs/inception_v3',
        version: expect.stringMatching(/^nsfwjs@4\.4\.0:flatten_1:299px:/) as unknown,
        dims: 2048,
        n: corpus.images.length + 2,
      },
    ]);
    expect(mobilenetVectors).toEqual([
      {
        id: 'nsfwjs/mobilenet_v2',
        version: expect.stringMatching(/^nsfwjs@4\.4\.0:flatten_1:224px:/) as unknown,
        dims: 1280,
        n: 3,
      },
    ]);
  }, 600_000);

  it('trains on the InceptionV3 dataset and finds an image by itself: the query featurised by InceptionV3', async () => {
    const started = await t.gql<{ startTrainingRun: { run: { id: string } } }>(START_RUN, {
      datasetId: inceptionId,
      config: TINY,
    });
    const runId = started.data.startTrainingRun.run.id;
    const run = await waitFor(
      async () => {
        const read = await t.gql<{
          trainingRun: { status: string; error: string | null; model: { status: string } | null };
        }>(RUN, { id: runId });
        const r = read.data.trainingRun;
        return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(r.status) ? r : undefined;
      },
      300_000,
      'the training run',
    );
    expect(run).toMatchObject({ status: 'SUCCEEDED', error: null });
    // The model's image network takes 2048 features: a query featurised by any other CNN is
    // refused (its size differs), and one featurised like the corpus lands on its own item.
    const query = corpus.images.at(-1)!;
    const answer = await t.gql<{
      search: { edges: { node: { score: number; item: { externalKey: string } } }[] };
    }>(SEARCH, { datasetId: inceptionId, image: query.base64 });
    expect(answer.errors).toBeUndefined();
    const [top] = answer.data.search.edges;
    expect(top?.node.item.externalKey).toBe(query.key);
    // Tolerance: the same features through the same network, float32 and pgvector's float32 sums.
    expect(top!.node.score).toBeGreaterThan(1 - 1e-4);
  }, 600_000);

  it('featurises with a user model and records a new version once its folder changed', async () => {
    const { datasetId, dataset } = await setUp('user model', 'user/channel-means');
    expect(dataset.imageFeaturiser).toEqual({
      id: 'user/channel-means',
      kind: 'USER',
      dims: 3,
      inputSize: USER_MODEL_SIZE,
    });
    await ingest(datasetId, corpus.images.slice(0, 2));
    // Same topology, other weights: the content hash, and so the version, changes.
    await writeChannelMeansModel(join(modelsDir, 'channel-means'), 2);
    await ingest(datasetId, corpus.images.slice(2, 3));
    const groups = await vectors(datasetId);
    expect(groups.map(({ id, dims, n }) => ({ id, dims, n }))).toEqual([
      { id: 'user/channel-means', dims: 3, n: 2 },
      { id: 'user/channel-means', dims: 3, n: 1 },
    ]);
    for (const g of groups) expect(g.version).toMatch(/^[0-9a-f]{16}:output:unit$/);
    expect(groups[0]!.version).not.toBe(groups[1]!.version);
  }, 300_000);
});
