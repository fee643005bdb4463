/** The steps every fault scenario shares: a dataset with two sites and the emoji corpus, a run. */
import { createServerDatabase } from '@concord/db/testing';
import { afterEach, expect } from 'vitest';
import { corpusItems, SITES, type IngestItem } from '../../scale-out/support/corpus.ts';
import {
  CREATE_DATASET,
  CREATE_SITE,
  FINAL,
  gql,
  INGEST,
  RUN,
  START_RUN,
  waitFor,
  type RunView,
} from '../../scale-out/support/graphql.ts';
import { spawnConcord } from '../../scale-out/support/processes.ts';

export interface Api {
  url: string;
  key: string;
}

/**
 * Server-mode processes for the tests of one file: `setup` makes a fresh database with an API
 * process on it, `worker` adds worker processes; they and whatever a test adds to `cleanup` are
 * stopped after each test, last first (the database dropped).
 */
export function serverProcesses() {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
  });
  return {
    cleanup,
    setup: async (
      name: string,
      env: Record<string, string> = {},
    ): Promise<{ url: string; api: Api }> => {
      const database = await createServerDatabase();
      cleanup.push(() => database.drop());
      const api = await spawnConcord({
        name: `${name}-api`,
        role: 'api',
        databaseUrl: database.url,
        env,
      });
      cleanup.push(() => api.kill());
      return { url: database.url, api: { url: api.url!, key: api.adminKey! } };
    },
    worker: async (name: string, url: string, env: Record<string, string> = {}) => {
      const p = await spawnConcord({ name, role: 'worker', databaseUrl: url, env });
      cleanup.push(() => p.kill());
      return p;
    },
  };
}

export async function createDataset(api: Api, name: string): Promise<string> {
  const created = await gql<{ createDataset: { dataset: { id: string } } }>(
    api.url,
    api.key,
    CREATE_DATASET,
    { input: { name, dimension: 8 } },
  );
  expect(created.errors, 'createDataset').toBeUndefined();
  const datasetId = created.data.createDataset.dataset.id;
  for (const site of SITES) await gql(api.url, api.key, CREATE_SITE, { datasetId, name: site });
  return datasetId;
}

/**
 * Ingests the corpus (perClass images and texts of each class) plus `extraTexts` held-out texts
 * (more rows to embed, nothing more to train on); returns the items sent.
 */
export async function ingestCorpus(
  api: Api,
  datasetId: string,
  perClass: number,
  extraTexts = 0,
): Promise<IngestItem[]> {
  const { images, texts } = corpusItems(perClass);
  const labels = [...new Set(texts.map((t) => t.labels[0]!))];
  const extra: IngestItem[] = Array.from({ length: extraTexts }, (_, i) => ({
    key: `extra-${i}`,
    site: SITES[i % 2]!,
    labels: [labels[i % labels.length]!],
    split: 'TEST',
    text: `${labels[i % labels.length]} held-out note number ${i}`,
  }));
  const items = [...images, ...texts, ...extra];
  for (let i = 0; i < items.length; i += 200) {
    const batch = items.slice(i, i + 200);
    const result = await gql<{ ingestItems: { created: number } }>(api.url, api.key, INGEST, {
      input: { datasetId, createLabels: true, items: batch },
    });
    expect(result.errors).toBeUndefined();
    expect(result.data.ingestItems.created).toBe(batch.length);
  }
  return items;
}

export async function startRun(
  api: Api,
  datasetId: string,
  config: Record<string, unknown>,
): Promise<string> {
  const started = await gql<{ startTrainingRun: { run: { id: string } | null } }>(
    api.url,
    api.key,
    START_RUN,
    { datasetId, config },
  );
  expect(started.errors).toBeUndefined();
  return started.data.startTrainingRun.run!.id;
}

export async function readRun(api: Api, runId: string): Promise<RunView> {
  return (await gql<{ trainingRun: RunView }>(api.url, api.key, RUN, { id: runId })).data
    .trainingRun;
}

export function waitForRun(api: Api, runId: string, timeoutMs = 420_000): Promise<RunView> {
  return waitFor(
    async () => {
      const run = await readRun(api, runId);
      return FINAL.includes(run.status) ? run : undefined;
    },
    timeoutMs,
    'the run to finish',
    1000,
  );
}

/** Every epoch of every unit exactly once. */
export function expectEpochsOnce(run: RunView, expected: number): void {
  const keys = run.epochs.map((e) => `${e.stage}/${e.unit}/${e.epoch}`);
  expect(new Set(keys).size).toBe(keys.length);
  expect(keys).toHaveLength(expected);
}
