import type { Dataset } from '@concord/db';
import { authorize, type Principal } from '../../auth/principal.ts';
import type { AppDeps } from '../../context.ts';
import { notFound } from '../../errors.ts';
import {
  resolveRunConfig,
  validateTrainingConfig,
  type TrainingConfigInput,
} from '../training/training-config.ts';
import { validateRetrainPolicy } from './retrain-policy.ts';

export async function setRetrainPolicy(
  deps: AppDeps,
  principal: Principal | null,
  datasetId: string,
  input: {
    kind: 'MANUAL' | 'CRON' | 'THRESHOLD';
    cron?: string | null;
    threshold?: number | null;
    config?: TrainingConfigInput | null;
  },
): Promise<Dataset> {
  authorize(principal, 'admin', datasetId);
  const config = input.config ? validateTrainingConfig(input.config) : null;
  if (config) {
    const current = await deps.repos.datasets.findById(datasetId);
    if (!current) throw notFound('dataset', datasetId);
    resolveRunConfig(config, current.dimension, current.modalities);
  }
  const policy = validateRetrainPolicy({ ...input, config });
  const dataset = await deps.repos.datasets.update(datasetId, { retrainPolicy: policy });
  await deps.queue.syncSchedule(dataset.id, policy);
  return dataset;
}
