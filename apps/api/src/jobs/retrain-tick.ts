/** The minutely retraining tick: queues runs that CRON or THRESHOLD policies call for. */
import { CronExpressionParser } from 'cron-parser';
import type { AppDeps } from '../context.ts';
import { readRetrainPolicy } from '../services/datasets/retrain-policy.ts';
import { checkThresholdPolicy } from '../services/training/check-threshold-policy.ts';
import { queueTrainingRun } from '../services/training/start-training-run.ts';

export async function retrainTick(deps: AppDeps, now = new Date()): Promise<string[]> {
  const queued: string[] = [];
  for (const dataset of await deps.repos.datasets.all()) {
    const policy = readRetrainPolicy(dataset.retrainPolicy);
    try {
      if (policy.kind === 'THRESHOLD' && (await checkThresholdPolicy(deps, dataset.id)))
        queued.push(dataset.id);
      if (policy.kind !== 'CRON') continue;
      const due = CronExpressionParser.parse(policy.cron, { currentDate: now }).prev().toDate();
      const last = await deps.repos.runs.latest(dataset.id);
      // Due since the last run, and recently (a long-stopped worker does not replay a backlog).
      if ((last && last.queuedAt >= due) || now.getTime() - due.getTime() > 5 * 60_000) continue;
      if ((await deps.repos.runs.countUnfinished(dataset.id)) > 0) continue;
      await queueTrainingRun(deps, dataset.id, policy.config ?? {});
      queued.push(dataset.id);
    } catch (error) {
      deps.log.error('retraining policy failed', error, { datasetId: dataset.id });
    }
  }
  return queued;
}
