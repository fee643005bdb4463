/**
 * Cancelling a fanned-out run while its units train on two workers: every running unit stops at
 * its next epoch, nothing further is queued or trained, no model is made.
 */
import { createServerDatabase } from '@concord/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkInvariants, sql } from '../faults/support/checks.ts';
import {
  createDataset,
  ingestCorpus,
  readRun,
  startRun,
  type Api,
} from '../faults/support/scenario.ts';
import { tinyConfig } from './support/corpus.ts';
import { gql, waitFor } from './support/graphql.ts';
import { spawnConcord, type ConcordProcess } from './support/processes.ts';

const CANCEL = `mutation($id: ID!) {
  cancelTrainingRun(id: $id) { run { id status } errors { code message } }
}`;

describe('cancelling a run whose units train on two workers', () => {
  let database: { url: string; drop(): Promise<void> };
  const processes: ConcordProcess[] = [];
  let api: Api;

  beforeAll(async () => {
    database = await createServerDatabase();
    const first = await spawnConcord({
      name: 'cancel-api',
      role: 'api',
      databaseUrl: database.url,
    });
    processes.push(first);
    api = { url: first.url!, key: first.adminKey! };
    processes.push(
      ...(await Promise.all(
        [1, 2].map((i) =>
          spawnConcord({ name: `cancel-worker-${i}`, role: 'worker', databaseUrl: database.url }),
        ),
      )),
    );
  });
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill()));
    await database?.drop();
  });

  it('stops every unit and trains nothing more', async () => {
    const datasetId = await createDataset(api, 'cancel');
    const items = await ingestCorpus(api, datasetId, 8);
    const runId = await startRun(api, datasetId, tinyConfig(200));
    // Both SPL units under way.
    await waitFor(
      async () => {
        const units = new Set((await readRun(api, runId)).epochs.map((e) => e.unit));
        return units.size >= 2 ? true : undefined;
      },
      300_000,
      'both SPL units to train',
      500,
    );
    const cancelled = await gql<{ cancelTrainingRun: { run: { status: string } } }>(
      api.url,
      api.key,
      CANCEL,
      { id: runId },
    );
    expect(cancelled.data.cancelTrainingRun.run.status).toBe('CANCELLED');
    const run = await waitFor(
      async () => {
        const r = await readRun(api, runId);
        const stopped = r.logs.filter((l) => l.message.endsWith('stopped: the run was cancelled'));
        return stopped.length === 2 ? r : undefined;
      },
      120_000,
      'both units to stop',
      500,
    );
    expect(run.status).toBe('CANCELLED');
    const epochs = run.epochs.length;
    expect(run.epochs.every((e) => e.stage === 'spl')).toBe(true);
    // A few seconds later: still nothing new, no job waiting, no model.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    expect((await readRun(api, runId)).epochs).toHaveLength(epochs);
    const open = await sql<{ name: string }>(
      database.url,
      `SELECT name FROM pgboss.job WHERE name LIKE 'training%' AND state::text IN ('created', 'retry', 'active')`,
    );
    expect(open).toEqual([]);
    const [models] = await sql<{ n: number }>(database.url, 'SELECT count(*)::int AS n FROM model');
    expect(models?.n).toBe(0);
    await checkInvariants(database.url, { datasetId, items: items.length });
  }, 600_000);
});
