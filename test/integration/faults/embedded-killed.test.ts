/**
 * The embedded database's process killed: `npm start`'s single process (API + worker on PGlite
 * in a data folder) gets SIGKILL mid-training and is started again on the same folder. PGlite
 * recovers the database; pg-boss (on PGlite) expires the dead process's job and the restarted
 * worker resumes the unit from its checkpoint; items, embeddings and the active model are exact.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tinyConfig } from '../scale-out/support/corpus.ts';
import { gql, waitFor } from '../scale-out/support/graphql.ts';
import { spawnConcord, type ConcordProcess } from '../scale-out/support/processes.ts';
import {
  createDataset,
  expectEpochsOnce,
  ingestCorpus,
  readRun,
  startRun,
  waitForRun,
  type Api,
} from './support/scenario.ts';

const COUNTS = `query($id: ID!) {
  dataset(id: $id) { itemCount activeModel { id status } }
  models(datasetId: $id) { totalCount }
}`;

describe('the embedded database process killed and restarted', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'concord-embedded-'));
  const processes: ConcordProcess[] = [];
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('recovers its data and finishes the run exactly once', async () => {
    const first = await spawnConcord({ name: 'embedded-1', role: 'both', dataDir });
    processes.push(first);
    const key = first.adminKey!;
    expect(key).toBeTruthy();
    let api: Api = { url: first.url!, key };
    const datasetId = await createDataset(api, 'embedded-kill');
    const items = await ingestCorpus(api, datasetId, 8);
    const epochs = 10;
    const runId = await startRun(api, datasetId, tinyConfig(epochs));
    const atKill = await waitFor(
      async () => {
        const run = await readRun(api, runId);
        return run.epochs.length >= 4 ? run.epochs.length : undefined;
      },
      300_000,
      'four epochs',
      200,
    );
    await first.kill('SIGKILL');

    const second = await spawnConcord({ name: 'embedded-2', role: 'both', dataDir });
    processes.push(second);
    expect(second.adminKey).toBeNull(); // the same database: its key still works
    api = { url: second.url!, key };
    const run = await waitForRun(api, runId);
    expect(run.error).toBeNull();
    expect(run.status).toBe('SUCCEEDED');
    expect(run.attempts).toBeGreaterThanOrEqual(2);
    const resumed = run.logs.find(
      (l) =>
        l.message.startsWith('resuming from checkpoint') && l.message.endsWith(`/${second.pid}`),
    );
    expect(resumed?.message).toMatch(new RegExp(`on worker \\S+/${second.pid}$`));
    console.log(`killed after ${atKill} epochs; ${resumed!.message}`);
    expectEpochsOnce(run, 4 * epochs);
    expect(run.model?.embeddingCount).toBe(items.length);
    const counts = await gql<{
      dataset: { itemCount: number; activeModel: { id: string; status: string } | null };
      models: { totalCount: number };
    }>(api.url, api.key, COUNTS, { id: datasetId });
    expect(counts.data.dataset.itemCount).toBe(items.length);
    expect(counts.data.models.totalCount).toBe(1);
    expect(counts.data.dataset.activeModel).toEqual({ id: run.model!.id, status: 'ACTIVE' });
  }, 600_000);
});
