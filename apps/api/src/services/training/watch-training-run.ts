import type { TrainingRun } from '@concord/db';
import { authorize, type Principal } from '../../auth/principal.ts';
import type { AppDeps } from '../../context.ts';
import { notFound } from '../../errors.ts';
import { watchChanges } from '../watch-changes.ts';

const FINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

/** Yields the run whenever it changes, until it is final. */
export async function* watchTrainingRun(
  deps: AppDeps,
  principal: Principal | null,
  id: string,
): AsyncGenerator<TrainingRun> {
  const first = await deps.repos.runs.findById(id);
  authorize(principal, 'viewer', first?.datasetId);
  if (!first) throw notFound('training run', id);
  yield* watchChanges(
    () => deps.repos.runs.findById(id),
    (run) =>
      `${run.status}:${run.stage}:${run.epoch}:${run.progress}:${JSON.stringify(run.logs).length}`,
    (run) => FINAL.has(run.status),
  );
}
