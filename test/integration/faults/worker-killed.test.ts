/**
 * A worker process killed with SIGKILL (server mode, API and workers as separate processes on a
 * fresh PostgreSQL database): mid-epoch, and mid-re-embedding (the finished run writing the new
 * model's embeddings). pg-boss expires the dead worker's job (TRAINING_JOB_EXPIRE_SECONDS = 20
 * here) and another worker takes it: a unit resumes from its last epoch checkpoint, an
 * interrupted embedding step is redone over the same model. Nothing is lost or written twice.
 */
import { describe, expect, it } from 'vitest';
import { tinyConfig } from '../scale-out/support/corpus.ts';
import { waitFor } from '../scale-out/support/graphql.ts';
import { checkInvariants, connect, sql } from './support/checks.ts';
import {
  createDataset,
  expectEpochsOnce,
  ingestCorpus,
  readRun,
  serverProcesses,
  startRun,
  waitForRun,
} from './support/scenario.ts';

const EXPIRE_SECONDS = 20;

describe('a worker killed with SIGKILL', () => {
  const { cleanup, setup, worker } = serverProcesses();

  it('mid-epoch: the unit resumes from its checkpoint on another worker', async () => {
    const { url, api } = await setup('kill-epoch');
    const datasetId = await createDataset(api, 'kill-mid-epoch');
    const items = await ingestCorpus(api, datasetId, 8);
    const first = await worker('kill-epoch-w1', url);
    const epochs = 10;
    const runId = await startRun(api, datasetId, tinyConfig(epochs));

    // Kill once some unit has checkpointed at least two epochs and is still training.
    const db = await connect(url);
    cleanup.push(() => db.close());
    const label = await waitFor(
      async () => {
        const rows = await db.query<{ label: string }>(
          `SELECT meta->>'label' AS label FROM training_checkpoint
           WHERE run_id = $1 AND key LIKE 'unit:%'`,
          [runId],
        );
        return rows.find((r) => Number(r.label.split('@')[1]) >= 2)?.label;
      },
      300_000,
      'a unit two epochs in',
      100,
    );
    await first.kill('SIGKILL');
    const killedAt = Date.now();
    expect((await readRun(api, runId)).status).toBe('RUNNING');

    const second = await worker('kill-epoch-w2', url);
    const run = await waitForRun(api, runId);
    expect(run.error).toBeNull();
    expect(run.status).toBe('SUCCEEDED');
    expect(run.attempts).toBeGreaterThanOrEqual(2);
    const resumed = run.logs.find(
      (l) =>
        l.message.startsWith('resuming from checkpoint') && l.message.endsWith(`/${second.pid}`),
    );
    expect(resumed?.message).toMatch(new RegExp(`@[1-9]\\d* on worker \\S+/${second.pid}$`));
    const resumedAfter = (Date.parse(resumed!.at) - killedAt) / 1000;
    console.log(
      `worker killed at ${label}; resumed on the second worker ${resumedAfter.toFixed(1)} s later (expiry ${EXPIRE_SECONDS} s): ${resumed!.message}`,
    );
    // Prompt: the expiry plus maintenance and polling, not hours.
    expect(resumedAfter).toBeLessThan(EXPIRE_SECONDS + 60);
    expectEpochsOnce(run, 4 * epochs);
    await checkInvariants(url, { datasetId, runId, items: items.length, epochs: 4 * epochs });
  }, 600_000);

  it('mid-re-embedding: the embedding step is redone over the same model', async () => {
    const { url, api } = await setup('kill-embed');
    const datasetId = await createDataset(api, 'kill-mid-embedding');
    const items = await ingestCorpus(api, datasetId, 8, 400);
    // One embedding per statement: the step takes long enough to be caught in the middle.
    const first = await worker('kill-embed-w1', url, { EMBED_BATCH_SIZE: '1' });
    const epochs = 4;
    const runId = await startRun(api, datasetId, tinyConfig(epochs));

    const db = await connect(url);
    cleanup.push(() => db.close());
    const count = () =>
      db.query<{ status: string; n: number }>(
        `SELECT m.status, count(e.item_id)::int AS n FROM model m
         LEFT JOIN embedding e ON e.model_id = m.id
         WHERE m.training_run_id = $1 GROUP BY m.status`,
        [runId],
      );
    await waitFor(
      async () => {
        const [row] = await count();
        return row && row.status === 'TRAINING' && row.n >= 20 ? true : undefined;
      },
      300_000,
      'the embedding step to be under way',
      30,
    );
    await first.kill('SIGKILL');
    const [atKill] = await count();
    console.log(`worker killed with ${atKill!.n} of ${items.length} embeddings written`);
    expect(atKill!.status).toBe('TRAINING');
    expect(atKill!.n).toBeGreaterThan(0);
    expect(atKill!.n).toBeLessThan(items.length);

    await worker('kill-embed-w2', url);
    const run = await waitForRun(api, runId);
    expect(run.error).toBeNull();
    expect(run.status).toBe('SUCCEEDED');
    expect(run.model?.embeddingCount).toBe(items.length);
    expectEpochsOnce(run, 4 * epochs);
    await checkInvariants(url, { datasetId, runId, items: items.length, epochs: 4 * epochs });
  }, 600_000);

  it('with no retries left: the run fails with the reason and nothing else changes', async () => {
    const noRetry = { TRAINING_JOB_RETRY_LIMIT: '0' };
    const { url, api } = await setup('kill-final', noRetry);
    const datasetId = await createDataset(api, 'kill-no-retry');
    const items = await ingestCorpus(api, datasetId, 8);
    const first = await worker('kill-final-w1', url, noRetry);
    const runId = await startRun(api, datasetId, tinyConfig(10));
    await waitFor(
      async () => ((await readRun(api, runId)).epochs.length >= 2 ? true : undefined),
      300_000,
      'two epochs',
      200,
    );
    await first.kill('SIGKILL');
    await worker('kill-final-w2', url, noRetry);
    // pg-boss expires the job, has no retry left and moves it to the dead-letter queue, whose
    // handler fails the run with the reason.
    const run = await waitForRun(api, runId, 180_000);
    expect(run.status).toBe('FAILED');
    expect(run.error).toMatch(/^unit spl:\S+ given up after 1 attempt: its worker died/);
    expect(run.model).toBeNull();
    await checkInvariants(url, { datasetId, items: items.length });
    const [models] = await sql<{ n: number }>(url, 'SELECT count(*)::int AS n FROM model');
    expect(models?.n).toBe(0);
  }, 600_000);
});
