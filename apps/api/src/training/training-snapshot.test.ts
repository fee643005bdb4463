/**
 * The run's snapshot holds what defines the training set (ids, splits, sites, labels, the fitted
 * LSA), not feature vectors; units load their vectors by those ids, so items added after planning
 * stay out of the run, and an item deleted since planning fails the unit with the count. The jobs
 * are called directly (no worker polls), so each step happens exactly when the test says.
 */
import { randomUUID } from 'node:crypto';
import { TEST_DATABASE_MODES } from '@concord/db/testing';
import { encodeBundle } from '@concord/drcl';
import { fitLsa } from '@concord/features';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emojiTestCorpus, type CorpusItem } from '../testing/emoji-corpus.ts';
import { startTestApp, type TestApp } from '../testing/harness.ts';
import { CREATE_DATASET, CREATE_SITE, INGEST, RUN, START_RUN } from '../testing/operations.ts';
import { loadEmbedModalities, loadUnitModality } from './load-modality-rows.ts';
import { rowsIn, type ModalitySet } from './load-training-data.ts';
import { planTrainingRun } from './plan-training-run.ts';
import { trainUnit } from './train-unit.ts';
import { DATA_KEY, loadSnapshot, SNAPSHOT_FORMAT, type RunSnapshot } from './training-state.ts';

const CONFIG = {
  hiddenSizes: [16],
  splEpochs: 2,
  rscEpochs: 2,
  batchSize: 8,
  textDimensions: 8,
  seed: 5,
};
const SITES: [string, string] = ['north-plant', 'south-plant'];
const TOLERANCE = 1e-5;

interface Ingested {
  ingestItems: {
    created: number;
    results: { key: string; status: string; item: { id: string } | null }[];
  };
}

function toInput(item: CorpusItem, keyPrefix = '') {
  return {
    key: `${keyPrefix}${item.key}`,
    site: item.site,
    labels: [item.label],
    split: item.split,
    ...(item.base64 ? { base64: item.base64 } : { text: item.text }),
  };
}

/** Every Float32Array anywhere inside a decoded snapshot. */
function float32Arrays(value: unknown): Float32Array[] {
  if (value instanceof Float32Array) return [value];
  if (ArrayBuffer.isView(value) || value === null || typeof value !== 'object') return [];
  return Object.values(value).flatMap(float32Arrays);
}

describe.each(TEST_DATABASE_MODES)('the training snapshot ($name)', (mode) => {
  let t: TestApp;
  let datasetId: string;
  let runId: string;
  let snapshot: RunSnapshot;
  const corpus = emojiTestCorpus(4, SITES);
  const setOf = (name: string): ModalitySet =>
    snapshot.data.modalities.find((m) => m.name === name)!;

  beforeAll(async () => {
    t = await startTestApp(mode, { RUN_WORKER: 'false' });
    const created = await t.gql<{ createDataset: { dataset: { id: string } } }>(CREATE_DATASET, {
      input: { name: 'snapshot', dimension: 8 },
    });
    datasetId = created.data.createDataset.dataset.id;
    for (const name of SITES) await t.gql(CREATE_SITE, { datasetId, name });
    const items = [...corpus.images, ...corpus.texts].map((item) => toInput(item));
    const ingested = await t.gql<Ingested>(INGEST, {
      input: { datasetId, createLabels: true, items },
    });
    expect(ingested.data.ingestItems.created).toBe(items.length);
    const started = await t.gql<{ startTrainingRun: { run: { id: string } } }>(START_RUN, {
      datasetId,
      config: CONFIG,
    });
    runId = started.data.startTrainingRun.run.id;
    await planTrainingRun(t.app.deps, runId);
    snapshot = (await loadSnapshot(t.app.deps, runId))!;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('holds ids, splits, sites and labels but no feature vectors', async () => {
    const row = await t.app.deps.repos.runs.checkpoint(runId, DATA_KEY);
    const image = setOf('image');
    const text = setOf('text');
    expect(image.itemIds).toHaveLength(corpus.images.length);
    expect(text.itemIds).toHaveLength(corpus.texts.length);
    expect(float32Arrays(snapshot)).toEqual([]);
    // What the vectors alone took before: 4 bytes per value.
    const vectorBytes = 4 * (image.itemIds.length * image.dim + text.itemIds.length * text.dim);
    expect(image.dim).toBeGreaterThan(100);
    expect(row!.state.byteLength).toBeLessThan(vectorBytes / 4);
    const run = await t.gql<{ trainingRun: { logs: { message: string }[] } }>(RUN, { id: runId });
    expect(run.data.trainingRun.logs.map((l) => l.message)).toContain(
      `snapshot saved: ${row!.state.byteLength} bytes (${image.itemIds.length} image items, ${image.dim}-d; ${text.itemIds.length} text items, ${text.dim}-d); each job loads their features by id`,
    );
  });

  it('gives a unit exactly the snapshot items, with their stored vectors, after items were added', async () => {
    const deps = t.app.deps;
    const before = await deps.repos.items.trainingItems(datasetId, deps.featurisers.defaultImageId);
    const extra = emojiTestCorpus(6, SITES);
    const added = [...extra.images.slice(-4), ...extra.texts.slice(-4)].map((item) =>
      toInput({ ...item, split: 'TRAIN' }, 'late-'),
    );
    const ingested = await t.gql<Ingested>(INGEST, {
      input: { datasetId, createLabels: true, items: added },
    });
    expect(ingested.data.ingestItems.created).toBeGreaterThan(0);
    const addedIds = new Set(
      ingested.data.ingestItems.results
        .filter((r) => r.status === 'CREATED')
        .map((r) => r.item!.id),
    );

    const byId = new Map(before.map((item) => [item.id, item]));
    // The text featuriser refitted independently on the snapshot's TRAIN texts.
    const text = setOf('text');
    const lsa = fitLsa(
      rowsIn(text, 'TRAIN').map((row) => byId.get(text.itemIds[row]!)!.text ?? ''),
      { dims: CONFIG.textDimensions, seed: CONFIG.seed },
    );
    for (const name of ['image', 'text']) {
      const set = setOf(name);
      const unit = await loadUnitModality(deps, snapshot, set);
      const trainRows = rowsIn(set, 'TRAIN');
      expect(unit.train.features).toHaveLength(trainRows.length * set.dim);
      expect(unit.train.labels).toHaveLength(trainRows.length * snapshot.data.numClasses);
      expect(set.itemIds.some((id) => addedIds.has(id))).toBe(false);
      trainRows.forEach((row, i) => {
        const item = byId.get(set.itemIds[row]!)!;
        const expected = name === 'image' ? item.features! : lsa.featuriseOne(item.text ?? '');
        const got = unit.train.features.subarray(i * set.dim, (i + 1) * set.dim);
        const worst = Math.max(...Array.from(expected, (x, k) => Math.abs(x - got[k]!)));
        expect(worst).toBeLessThan(TOLERANCE);
      });
    }
    // A real unit trains on them.
    expect(snapshot.plan.spl).toEqual(['image', 'text']);
    await trainUnit(deps, { runId, stage: 'spl', unit: 'text', slice: 0 }, 0);
    expect(await deps.repos.runs.checkpoint(runId, 'done:spl:text')).not.toBeNull();
    const run = (await deps.repos.runs.findById(runId))!;
    expect(run.error).toBeNull();
    expect(run.status).toBe('RUNNING');
  });

  it('fails a unit naming how many planned items were deleted; assemble leaves them out', async () => {
    const deps = t.app.deps;
    const image = setOf('image');
    const gone = image.itemIds[rowsIn(image, 'TRAIN')[0]!]!;
    const deleted = await t.gql(`mutation($id: ID!) { deleteItem(id: $id) { item { id } } }`, {
      id: gone,
    });
    expect(deleted.errors).toBeUndefined();

    const notes: [string, number, number][] = [];
    const embed = await loadEmbedModalities(deps, snapshot, (name, missing, planned) => {
      notes.push([name, missing, planned]);
      return Promise.resolve();
    });
    expect(notes).toEqual([['image', 1, image.itemIds.length]]);
    expect(embed.itemIds.image).toEqual(image.itemIds.filter((id) => id !== gone));
    expect(embed.modalities[0]!.all.features).toHaveLength((image.itemIds.length - 1) * image.dim);

    const trained = rowsIn(image, 'TRAIN').length + rowsIn(image, 'VALIDATION').length;
    await trainUnit(deps, { runId, stage: 'spl', unit: 'image', slice: 0 }, 0);
    const run = (await deps.repos.runs.findById(runId))!;
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe(
      `1 of the ${trained} image training items this run was planned with was deleted since; every unit must train on the same items, so the run stops. Start a new run.`,
    );
  });

  it('refuses a snapshot from before this format with a reason', async () => {
    const old = encodeBundle({ data: { numClasses: 2, modalities: [] }, args: {}, plan: {} });
    await t.app.deps.repos.runs.saveCheckpoint(runId, DATA_KEY, 0, old, {});
    await expect(loadSnapshot(t.app.deps, runId)).rejects.toThrow(
      /snapshot has format 1, this worker reads format 2 only .*start a new run/,
    );
  });
});

describe('the training snapshot at the target size', () => {
  it('stays a few MB for 100,000 items × 2,048-d image features', () => {
    const n = 100_000;
    const dim = 2048;
    const snapshot: RunSnapshot = {
      format: SNAPSHOT_FORMAT,
      data: {
        numClasses: 20,
        modalities: [
          {
            name: 'image',
            dim,
            itemIds: Array.from({ length: n }, () => randomUUID()),
            splits: Uint8Array.from({ length: n }, (_, i) => i % 3),
            siteIds: Int32Array.from({ length: n }, (_, i) => i % 4),
            labelStarts: Int32Array.from({ length: n + 1 }, (_, i) => i),
            labels: Int32Array.from({ length: n }, (_, i) => i % 20),
          },
        ],
        featurisers: { image: { id: 'cnn', version: 'ingested', state: null } },
      },
      args: { seed: 1 },
      plan: { spl: ['image'], rsc: ['image'] },
    };
    const bytes = encodeBundle(snapshot).byteLength;
    const vectorBytes = 4 * n * dim;
    console.log(
      `snapshot of ${n} × ${dim}: ${bytes} bytes; the vectors alone: ${vectorBytes} bytes`,
    );
    expect(bytes).toBeLessThan(vectorBytes / 100);
  });
});
