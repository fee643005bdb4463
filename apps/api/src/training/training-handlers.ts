/** The worker's training handlers: plan (fan-out) → units on any worker → assemble. */
import type { AppDeps } from '../context.ts';
import type { Handlers } from '../jobs/queue.ts';
import { assembleTrainingRun } from './assemble-training-run.ts';
import { planTrainingRun } from './plan-training-run.ts';
import { trainUnit } from './train-unit.ts';
import { failRun } from './training-state.ts';

export function trainingHandlers(deps: AppDeps): Handlers['training'] {
  return {
    plan: (runId) => planTrainingRun(deps, runId),
    unit: (job, retryCount) => trainUnit(deps, job, retryCount),
    assemble: (runId) => assembleTrainingRun(deps, runId),
    dead: async (runId, what) => {
      const run = await deps.repos.runs.findById(runId);
      const attempts = deps.env.TRAINING_JOB_RETRY_LIMIT + 1;
      if (run)
        await failRun(
          deps,
          run,
          new Error(
            `${what} given up after ${attempts} attempt${attempts === 1 ? '' : 's'}: its worker died or the job outlived TRAINING_JOB_EXPIRE_SECONDS each time`,
          ),
        );
    },
  };
}
