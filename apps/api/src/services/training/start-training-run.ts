import type { TrainingRun } from '@concord/db';
import { authorize, type Principal } from '../../auth/principal.ts';
import type { AppDeps } from '../../context.ts';
import { AppError, notFound } from '../../errors.ts';
import {
  resolveRunConfig,
  validateTrainingConfig,
  type TrainingConfigInput,
} from './training-config.ts';

/** Validates the config and queues the run; training happens in the worker, never here. */
export async function startTrainingRun(
  deps: AppDeps,
  principal: Principal | null,
  datasetId: string,
  input: TrainingConfigInput | null,
): Promise<TrainingRun> {
  authorize(principal, 'editor', datasetId);
  return queueTrainingRun(deps, datasetId, validateTrainingConfig(input ?? {}));
}

/** Shared with the retraining policies (cron, threshold). */
export async function queueTrainingRun(
  deps: AppDeps,
  datasetId: string,
  config: Record<string, unknown>,
): Promise<TrainingRun> {
  const dataset = await deps.repos.datasets.findById(datasetId);
  if (!dataset) throw notFound('dataset', datasetId);
  const resolved = resolveRunConfig(config, dataset.dimension, dataset.modalities);
  if (dataset.modalities.length < 2) {
    throw new AppError('FAILED_PRECONDITION', 'DRCL needs a dataset with at least two modalities.');
  }
  // The prior W has a column per label and must have full column rank (W⁺W = I) in D dimensions.
  const labels = (await deps.repos.datasets.listLabels(datasetId)).length;
  const dimension = resolved.drcl.embeddingDim ?? dataset.dimension;
  if (labels > dimension) {
    throw new AppError(
      'FAILED_PRECONDITION',
      `The shared space (D = ${dimension}) must have at least as many dimensions as the dataset has labels (${labels}).`,
    );
  }
  if ((await deps.repos.runs.countUnfinished(datasetId)) > 0) {
    throw new AppError('CONFLICT', 'A training run of this dataset is already queued or running.');
  }
  for (const modality of dataset.modalities) {
    const n = await deps.repos.items.count({ datasetId, modality, status: 'READY' });
    if (n < 2)
      throw new AppError(
        'FAILED_PRECONDITION',
        `The dataset needs READY ${modality} items to train (has ${n}).`,
      );
  }
  const run = await deps.repos.runs.create(datasetId, { ...config, resolved });
  await deps.queue.enqueueTraining(run.id);
  return run;
}
