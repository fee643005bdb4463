/** Run progress over graphql-ws: a subscriber sees the queued run and then its cancellation. */
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
