import type { Model } from '@concord/db';
import { authorize, type Principal } from '../../auth/principal.ts';
import type { AppDeps } from '../../context.ts';
import { AppError, notFound } from '../../errors.ts';
import { embedMissingItems } from '../embeddings/embed-items.ts';
import { emitEvent } from '../webhooks/emit-event.ts';

/** Switches the dataset back to the model that was active before the current one. */
export async function rollbackModel(
  deps: AppDeps,
  principal: Principal | null,
  datasetId: string,
): Promise<Model> {
  authorize(principal, 'admin', datasetId);
  const dataset = await deps.repos.datasets.findById(datasetId);
  if (!dataset) throw notFound('dataset', datasetId);
  const previous = await deps.repos.models.previousActive(datasetId, dataset.activeModelId);
  if (!previous)
    throw new AppError('FAILED_PRECONDITION', 'There is no earlier model to roll back to.');
  // Retired, it missed the items stored since; before the switch and after it, as in promote().
  await embedMissingItems(deps, previous.id, deps.env.EMBED_BATCH_SIZE);
  if (!(await deps.db.embeddings.hasIndex(previous.id)))
    await deps.db.embeddings.buildIndex(previous.id);
  const model = await deps.repos.models.promote(previous.id);
  await embedMissingItems(deps, model.id, deps.env.EMBED_BATCH_SIZE);
  await emitEvent(deps, datasetId, 'model.promoted', {
    modelId: model.id,
    version: model.version,
    rollback: true,
  });
  return model;
}
