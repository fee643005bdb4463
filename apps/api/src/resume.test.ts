/**
 * A worker killed during training (SIGKILL, server mode: API and worker as separate processes on
 * one PostgreSQL database): pg-boss expires the job and retries it on a new worker, which resumes
 * from the last epoch checkpoint; the run completes with no duplicate rows.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_DATABASE_MODES } from '@concord/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emojiTestCorpus } from './testing/emoji-corpus.ts';
import { startTestApp, waitFor, type TestApp } from './testing/harness.ts';
import { CREATE_DATASET, CREATE_SITE, INGEST, RUN, START_RUN } from './testing/operations.ts';

const API_DIR = fileURLToPath(new URL('..', import.meta.url));
const CONFIG = {
  hiddenSizes: [64],
  splEpochs: 8,
  rscEpochs: 8,
  batchSize: 8,
  splLearningRate: 0.01,
  rscLearningRate: 0.01,
  textDimensions: 16,
  seed: 3,
};
const EXPIRE_SECONDS = 15;

let workerCount = 0;
function startWorker(databaseUrl: string): ChildProcess {
  workerCount += 1;
  const log = openSync(join(tmpdir(), `concord-resume-worker-${workerCount}.log`), 'w');
  return spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: API_DIR,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      RUN_API: 'false',
      JOB_POLL_SECONDS: '0.5',
      JOB_MAINTENANCE_SECONDS: '1',
      TRAINING_JOB_EXPIRE_SECONDS: String(EXPIRE_SECONDS),
      NODE_ENV: 'test',
    },
    stdio: ['ignore', log, log],
  });
}

interface Run {
  status: string;
  attempts: number;
  error: string | null;
  logs: { message: string }[];
  epochs: { stage: string; unit: string; epoch: number }[];
  model: { id: string; embeddingCount: number } | null;
}

const postgres = TEST_DATABASE_MODES.filter((mode) => mode.name === 'postgres');

describe.each(postgres)('a worker killed during training ($name)', (mode) => {
  let t: TestApp;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    // The API sends the job, so its expiry is the one that counts.
    t = await startTestApp(mode, {
      RUN_WORKER: 'false',
      TRAINING_JOB_EXPIRE_SECONDS: String(EXPIRE_SECONDS),
    });
  });
  afterAll(async () => {
    for (const worker of workers) worker.kill('SIGKILL');
    await t?.close();
  });

  it(
    'resumes from the last checkpoint after a restart and writes nothing twice',
    { timeout: 600_000 },
    async () => {
      const created = await t.gql<{ createDataset: { dataset: { id: string } } }>(CREATE_DATASET, {
        input: { name: 'resume', dimension: 8 },
      });
      const datasetId = created.data.createDataset.dataset.id;
      for (const name of ['north-plant', 'south-plant'])
        await t.gql(CREATE_SITE, { datasetId, name });
      const corpus = emojiTestCorpus(8, ['north-plant', 'south-plant']);
      const items = [...corpus.images, ...corpus.texts].map((item) => ({
        key: item.key,
        site: item.site,
        labels: [item.label],
        split: item.split,
        ...(item.base64 ? { base64: item.base64 } : { text: item.text }),
      }));
      const ingested = await t.gql<{ ingestItems: { created: number } }>(INGEST, {
        input: { datasetId, createLabels: true, items },
      });
      expect(ingested.data.ingestItems.created).toBe(items.length);

      const started = await t.gql<{ startTrainingRun: { run: { id: string } } }>(START_RUN, {
        datasetId,
        config: CONFIG,
      });
      const runId = started.data.startTrainingRun.run.id;
      const read = async () =>
        (await t.gql<{ trainingRun: Run }>(RUN, { id: runId })).data.trainingRun;

      const first = startWorker(t.databaseUrl!);
      workers.push(first);
      // Kill it hard once a few epochs (and so their checkpoints) are in.
      await waitFor(
        async () => ((await read()).epochs.length >= 4 ? true : undefined),
        240_000,
        'four epochs',
      );
      first.kill('SIGKILL');
      const atKill = (await read()).epochs.length;
      expect((await read()).status).toBe('RUNNING');

      workers.push(startWorker(t.databaseUrl!));
      const run = await waitFor(
        async () => {
          const r = await read();
          return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(r.status) ? r : undefined;
        },
        300_000,
        'the resumed run',
      );
      expect(run.error).toBeNull();
      expect(run.status).toBe('SUCCEEDED');
      expect(run.attempts).toBeGreaterThanOrEqual(2);
      expect(run.logs.some((l) => l.message.startsWith('resuming from checkpoint'))).toBe(true);
      // Every epoch of every unit exactly once, though some ran before the kill.
      const keys = run.epochs.map((e) => `${e.stage}/${e.unit}/${e.epoch}`);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys).toHaveLength(2 * CONFIG.splEpochs + 2 * CONFIG.rscEpochs);
      expect(atKill).toBeLessThan(keys.length);
      // One model for the run, each item embedded once.
      const models = await t.gql<{ models: { totalCount: number } }>(
        `query($id: ID!) { models(datasetId: $id) { totalCount } }`,
        { id: datasetId },
      );
      expect(models.data.models.totalCount).toBe(1);
      expect(run.model?.embeddingCount).toBe(items.length);
    },
  );
});
