/**
 * Progress over graphql-ws: a subscriber sees a queued training run and then its cancellation,
 * and a bulk ingestion's counts until it succeeds; a key without the dataset is refused.
 */
import { readFileSync } from 'node:fs';
import { TEST_DATABASE_MODES } from '@concord/db/testing';
import { loadEmojiCorpus } from '@concord/features';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestApp, waitFor, type TestApp } from './testing/harness.ts';
import { CREATE_DATASET, CREATE_SITE, INGEST, START_RUN } from './testing/operations.ts';

describe('trainingRunProgress subscription (pglite)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(TEST_DATABASE_MODES[0]!, { RUN_WORKER: 'false' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('streams the run until it is final', async () => {
    const created = await t.gql<{ createDataset: { dataset: { id: string } } }>(CREATE_DATASET, {
      input: { name: 'ws', dimension: 8 },
    });
    const datasetId = created.data.createDataset.dataset.id;
    await t.gql(CREATE_SITE, { datasetId, name: 'hq' });
    const flags = loadEmojiCorpus()
      .filter((r) => r.label === 'Flags')
      .slice(0, 2);
    const ingested = await t.gql<{ ingestItems: { created: number } }>(INGEST, {
      input: {
        datasetId,
        createLabels: true,
        items: [
          ...flags.map((r, i) => ({
            site: 'hq',
            labels: [`c${i}`],
            base64: readFileSync(r.imagePath).toString('base64'),
          })),
          { site: 'hq', labels: ['c0'], text: 'flag of one country' },
          { site: 'hq', labels: ['c1'], text: 'flag of another country' },
        ],
      },
    });
    expect(ingested.data.ingestItems.created).toBe(4);
    const started = await t.gql<{ startTrainingRun: { run: { id: string } } }>(START_RUN, {
      datasetId,
      config: { splEpochs: 1 },
    });
    const runId = started.data.startTrainingRun.run.id;

    const client = createClient({
      url: t.url.replace('http', 'ws') + 'graphql',
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${t.adminKey}` },
    });
    const statuses: string[] = [];
    const done = new Promise<void>((resolve, reject) => {
      client.subscribe<{ trainingRunProgress: { status: string } }>(
        {
          query: `subscription($id: ID!) { trainingRunProgress(id: $id) { status progress } }`,
          variables: { id: runId },
        },
        {
          next: (message) => {
            if (message.errors) reject(new Error(JSON.stringify(message.errors)));
            if (message.data) statuses.push(message.data.trainingRunProgress.status);
          },
          error: reject,
          complete: resolve,
        },
      );
    });
    await waitFor(
      () => Promise.resolve(statuses.length > 0 ? true : undefined),
      30_000,
      'the first event',
    );
    await t.gql(`mutation($id: ID!) { cancelTrainingRun(id: $id) { run { status } } }`, {
      id: runId,
    });
    await done;
    await client.dispose();
    expect(statuses[0]).toBe('QUEUED');
    expect(statuses.at(-1)).toBe('CANCELLED');
  });
});

describe('bulkIngestionProgress subscription (pglite)', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Small chunks, so the job's counts move in several steps.
    t = await startTestApp(TEST_DATABASE_MODES[0]!, { INGESTION_CHUNK_SIZE: '5' });
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Every event of one subscription, until it completes or errs. */
  const events = async <T>(key: string, query: string, id: string) => {
    const client = createClient({
      url: t.url.replace('http', 'ws') + 'graphql',
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${key}` },
    });
    const seen: T[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        client.subscribe<T>(
          { query, variables: { id } },
          {
            next: (message) => {
              if (message.errors) reject(new Error(JSON.stringify(message.errors)));
              if (message.data) seen.push(message.data);
            },
            error: (error) =>
              reject(error instanceof Error ? error : new Error(JSON.stringify(error))),
            complete: resolve,
          },
        );
      });
      return seen;
    } finally {
      await client.dispose();
    }
  };

  it('streams the counts until the ingestion is final, and refuses a key without its dataset', async () => {
    const dataset = async (name: string) => {
      const created = await t.gql<{ createDataset: { dataset: { id: string } } }>(CREATE_DATASET, {
        input: { name, dimension: 8 },
      });
      const id = created.data.createDataset.dataset.id;
      await t.gql(CREATE_SITE, { datasetId: id, name: 'hq' });
      return id;
    };
    const datasetId = await dataset('bulk-ws');
    const otherId = await dataset('bulk-ws-other');
    const started = await t.gql<{ startBulkIngestion: { ingestion: { id: string } } }>(
      `mutation($input: StartBulkIngestionInput!) {
        startBulkIngestion(input: $input) { ingestion { id } errors { code message } }
      }`,
      {
        input: {
          datasetId,
          createLabels: true,
          items: Array.from({ length: 40 }, (_, i) => ({
            site: 'hq',
            labels: [`c${i % 2}`],
            text: `document number ${i} about ${i % 2 ? 'flags' : 'fruit'}`,
          })),
        },
      },
    );
    const id = started.data.startBulkIngestion.ingestion.id;

    type Progress = {
      bulkIngestionProgress: { status: string; processed: number; created: number; total: number };
    };
    const seen = await events<Progress>(
      t.adminKey,
      `subscription($id: ID!) { bulkIngestionProgress(id: $id) { status processed created total } }`,
      id,
    );
    const progress = seen.map((event) => event.bulkIngestionProgress);
    expect(['QUEUED', 'RUNNING']).toContain(progress[0]!.status);
    expect(progress.at(-1)).toEqual({ status: 'SUCCEEDED', processed: 40, created: 40, total: 40 });
    // The counts never go back.
    for (let i = 1; i < progress.length; i++)
      expect(progress[i]!.processed).toBeGreaterThanOrEqual(progress[i - 1]!.processed);

    const scoped = (
      await t.gql<{ createApiKey: { secret: string } }>(
        `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }`,
        { input: { role: 'VIEWER', label: 'other', datasetIds: [otherId] } },
      )
    ).data.createApiKey.secret;
    await expect(
      events(scoped, `subscription($id: ID!) { bulkIngestionProgress(id: $id) { status } }`, id),
    ).rejects.toThrow(/FORBIDDEN/);
    await expect(
      events(
        t.adminKey,
        `subscription($id: ID!) { bulkIngestionProgress(id: $id) { status } }`,
        '00000000-0000-4000-8000-000000000000',
      ),
    ).rejects.toThrow(/NOT_FOUND/);
  });
});
