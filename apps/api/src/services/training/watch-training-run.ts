import type { TrainingRun } from '@concord/db';
import { authorize, type Principal } from '../../auth/principal.ts';
import type { AppDeps } from '../../context.ts';
import { notFound } from '../../errors.ts';

const FINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);
export const WATCH_INTERVAL_MS = 500;

/**
 * Yields the run whenever it changes, until it is final. It polls the database, so it works
 * the same whether the worker runs in this process or on another machine.
 */
export async function* watchTrainingRun(
  deps: AppDeps,
  principal: Principal | null,
  id: string,
): AsyncGenerator<TrainingRun> {
  const first = await deps.repos.runs.findById(id);
  authorize(principal, 'viewer', first?.datasetId);
  if (!first) throw notFound('training run', id);
  let last = '';
  for (;;) {
    const run = await deps.repos.runs.findById(id);
    if (!run) return;
    const signature = `${run.status}:${run.stage}:${run.epoch}:${run.progress}:${JSON.stringify(run.logs).length}`;
    if (signature !== last) {
      last = signature;
      yield run;
    }
    if (FINAL.has(run.status)) return;
    await new Promise((resolve) => setTimeout(resolve, WATCH_INTERVAL_MS));
  }
}
