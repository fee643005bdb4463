import type { TrainingRun } from '@concord/db';
import { authorize, type Principal } from '../../auth/principal.ts';
import type { AppDeps } from '../../context.ts';
import { AppError, notFound } from '../../errors.ts';

/**
 * Marks the run cancelled; a queued run never starts, a running one is aborted by its worker at
 * the next epoch boundary (the worker polls the run's status).
 */
export async function cancelTrainingRun(
  deps: AppDeps,
  principal: Principal | null,
  id: string,
): Promise<TrainingRun> {
  const run = await deps.repos.runs.findById(id);
  authorize(principal, 'editor', run?.datasetId);
  if (!run) throw notFound('training run', id);
  if (!(await deps.repos.runs.finish(id, 'CANCELLED', 'cancelled by request'))) {
    throw new AppError('FAILED_PRECONDITION', `The run is already ${run.status}.`);
  }
  await deps.repos.runs.appendLog(id, {
    at: new Date().toISOString(),
    level: 'info',
    message: 'cancel requested',
  });
  return (await deps.repos.runs.findById(id))!;
}
