/**
 * PostgreSQL restarted while a training run is in flight (server mode: API and worker as
 * separate processes). The server is a throwaway cluster this test starts on its own port, so
 * the shared server other suites use is never restarted. A training job that loses its
 * connection is retried by pg-boss and resumes from its checkpoint; the API answers again once
 * the server is back; nothing is lost or written twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyConfig } from '../scale-out/support/corpus.ts';
import { DATASET, gql, waitFor } from '../scale-out/support/graphql.ts';
import { spawnConcord, type ConcordProcess } from '../scale-out/support/processes.ts';
import { checkInvariants, sql } from './support/checks.ts';
import {
  createDataset,
  expectEpochsOnce,
  ingestCorpus,
  startRun,
  waitForRun,
  type Api,
} from './support/scenario.ts';
import { startThrowawayPostgres, type ThrowawayPostgres } from './support/throwaway-postgres.ts';

describe('PostgreSQL restarted while jobs run', () => {
  let pg: ThrowawayPostgres;
  const processes: ConcordProcess[] = [];

  beforeAll(async () => {
    pg = await startThrowawayPostgres();
  });
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill()));
    await pg?.stop();
  });

  it('the run completes, the API answers again, counts are exact', async () => {
    const apiProcess = await spawnConcord({
      name: 'pg-restart-api',
      role: 'api',
      databaseUrl: pg.url,
    });
    processes.push(apiProcess);
    const worker = await spawnConcord({
      name: 'pg-restart-worker',
      role: 'worker',
      databaseUrl: pg.url,
    });
    processes.push(worker);
    const api: Api = { url: apiProcess.url!, key: apiProcess.adminKey! };
    const datasetId = await createDataset(api, 'pg-restart');
    const items = await ingestCorpus(api, datasetId, 8);
    const epochs = 10;
    const runId = await startRun(api, datasetId, tinyConfig(epochs));

    await waitFor(
      async () => {
        const [row] = await sql<{ n: number }>(
          pg.url,
          'SELECT count(*)::int AS n FROM training_epoch WHERE run_id = $1',
          [runId],
        );
        return row && row.n >= 3 ? true : undefined;
      },
      300_000,
      'three epochs',
      200,
    );
    await pg.restart('fast');
    console.log('PostgreSQL restarted (pg_ctl restart -m fast) three epochs into the run');
    // Both processes survived the restart and the API serves again.
    expect(apiProcess.child.exitCode).toBeNull();
    expect(worker.child.exitCode).toBeNull();
    await waitFor(
      async () => {
        const r = await gql<{ dataset: { id: string } }>(api.url, api.key, DATASET, {
          id: datasetId,
        });
        return r.data?.dataset?.id === datasetId ? true : undefined;
      },
      60_000,
      'the API to answer again',
    );

    // A process that died of the outage fails the test at once, with where its log is.
    const died = (p: typeof worker) =>
      p.exited.then((code) => {
        throw new Error(`${p.name} exited (${String(code)}) after the restart; log: ${p.logPath}`);
      });
    const run = await Promise.race([waitForRun(api, runId), died(worker), died(apiProcess)]);
    // Neither process died of the outage (a worker that did would leave the run to expiry).
    expect(worker.child.exitCode).toBeNull();
    expect(apiProcess.child.exitCode).toBeNull();
    expect(run.error).toBeNull();
    expect(run.status).toBe('SUCCEEDED');
    expectEpochsOnce(run, 4 * epochs);
    await checkInvariants(pg.url, { datasetId, runId, items: items.length, epochs: 4 * epochs });
    const retried = run.logs.filter((l) => /^resuming from checkpoint|^attempt/.test(l.message));
    console.log(
      `after the restart: ${retried.map((l) => l.message).join('; ') || 'no unit had to resume'}`,
    );
  }, 600_000);
});
