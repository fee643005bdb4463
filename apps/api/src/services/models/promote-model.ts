/**
 * Promotion gate: a model becomes active only when it is not worse than the active one on
 * held-out mean mAP, unless an admin forces it. The switch is one transaction.
 */
import type { Model } from '@concord/db';
import { authorize, type Principal } from '../../auth/principal.ts';
import type { AppDeps } from '../../context.ts';
import { AppError, notFound } from '../../errors.ts';
import { embedMissingItems } from '../embeddings/embed-items.ts';
import { emitEvent } from '../webhooks/emit-event.ts';

export function meanMapOf(model: Pick<Model, 'metrics'>): number | null {
  const value = (model.metrics as { meanMap?: unknown } | null)?.meanMap;
  return typeof value === 'number' ? value : null;
}

/** Whether `candidate` may replace `active` without force. */
export function passesGate(candidate: Model, active: Model | null): boolean {
  if (!active) return true;
  const a = meanMapOf(active);
  const c = meanMapOf(candidate);
  if (a === null) return c !== null;
  return c !== null && c >= a - 1e-9;
}

export async function promoteModel(
  deps: AppDeps,
  principal: Principal | null,
  modelId: string,
  force: boolean,
): Promise<Model> {
  const model = await deps.repos.models.findById(modelId);
  authorize(principal, 'admin', model?.datasetId);
  if (!model) throw notFound('model', modelId);
  return promote(deps, model, force);
}

/** Also used by the training job (never forced). */
export async function promote(deps: AppDeps, model: Model, force: boolean): Promise<Model> {
  if (!['READY', 'RETIRED', 'ACTIVE'].includes(model.status)) {
    throw new AppError('FAILED_PRECONDITION', `A ${model.status} model cannot be promoted.`);
  }
  const dataset = await deps.repos.datasets.findById(model.datasetId);
  if (dataset?.activeModelId === model.id) return model;
  const active = dataset?.activeModelId
    ? await deps.repos.models.findById(dataset.activeModelId)
    : null;
  if (!force && !passesGate(model, active)) {
    throw new AppError(
      'FAILED_PRECONDITION',
      `Model v${model.version} (mAP ${meanMapOf(model)?.toFixed(4)}) is worse than the active v${active?.version} (mAP ${active ? meanMapOf(active)?.toFixed(4) : '-'}); pass force to promote anyway.`,
    );
  }
  // A model rolled back to, or promoted by hand after its run, missed the items stored since.
  await embedMissingItems(deps, model.id, deps.env.EMBED_BATCH_SIZE);
  if (!(await deps.db.embeddings.hasIndex(model.id))) await deps.db.embeddings.buildIndex(model.id);
  const promoted = await deps.repos.models.promote(model.id);
  // And the items that arrived while it was being promoted, before ingestion saw it active.
  await embedMissingItems(deps, model.id, deps.env.EMBED_BATCH_SIZE);
  await emitEvent(deps, model.datasetId, 'model.promoted', {
    modelId: model.id,
    version: model.version,
    forced: force,
  });
  return promoted;
}
