import type { AppDeps } from '../../context.ts';
import { readRetrainPolicy } from '../datasets/retrain-policy.ts';
import { queueTrainingRun } from './start-training-run.ts';

/**
 * THRESHOLD policy: once the items created or relabelled since the last run reach the threshold,
 * a run is queued (unless one is already queued or running).
 */
export async function checkThresholdPolicy(deps: AppDeps, datasetId: string): Promise<boolean> {
  const dataset = await deps.repos.datasets.findById(datasetId);
  if (!dataset) return false;
  const policy = readRetrainPolicy(dataset.retrainPolicy);
  if (policy.kind !== 'THRESHOLD') return false;
  if ((await deps.repos.runs.countUnfinished(datasetId)) > 0) return false;
  const last = await deps.repos.runs.latest(datasetId);
  const changed = await deps.repos.items.countChangedSince(datasetId, last?.queuedAt ?? null);
  if (changed < policy.threshold) return false;
  await queueTrainingRun(deps, datasetId, policy.config ?? {});
  return true;
}
