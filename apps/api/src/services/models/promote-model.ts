/**
 * Promotion: a model becomes active when the gate (`judge-promotion.ts`: candidate and active
 * model on the same held-out items, paired bootstrap) does not find it worse, or when an admin
 * forces it. The verdict and its figures are stored on the candidate; the switch is one
 * transaction.
 */
import type { Model } from '@concord/db';
import { authorize, type Principal } from '../../auth/principal.ts';
import type { AppDeps } from '../../context.ts';
import { AppError, notFound } from '../../errors.ts';
import { embedMissingItems } from '../embeddings/embed-items.ts';
import { emitEvent } from '../webhooks/emit-event.ts';
import {
  allowsPromotion,
  judgePromotion,
  unjudged,
  type JudgeOptions,
  type PromotionGate,
} from './judge-promotion.ts';

export function meanMapOf(model: Pick<Model, 'metrics'>): number | null {
  const value = (model.metrics as { meanMap?: unknown } | null)?.meanMap;
  return typeof value === 'number' ? value : null;
}

export interface PromotionOutcome {
  model: Model;
  promoted: boolean;
  /** Null when the model already was the active one. */
  gate: PromotionGate | null;
}

/** The `promoteModel` mutation: a refusal is a FAILED_PRECONDITION that names the figures. */
export async function promoteModel(
  deps: AppDeps,
  principal: Principal | null,
  modelId: string,
  force: boolean,
): Promise<Model> {
  const model = await deps.repos.models.findById(modelId);
  authorize(principal, 'admin', model?.datasetId);
  if (!model) throw notFound('model', modelId);
  const outcome = await promote(deps, model, { force });
  if (!outcome.promoted) {
    throw new AppError(
      'FAILED_PRECONDITION',
      `Model v${model.version} not promoted: ${outcome.gate?.reason}; pass force to promote anyway.`,
    );
  }
  return outcome.model;
}

/** Judges and, unless refused, promotes. Also used by the training job (never forced). */
export async function promote(
  deps: AppDeps,
  model: Model,
  options: JudgeOptions & { force: boolean },
): Promise<PromotionOutcome> {
  if (!['READY', 'RETIRED', 'ACTIVE'].includes(model.status)) {
    throw new AppError('FAILED_PRECONDITION', `A ${model.status} model cannot be promoted.`);
  }
  const dataset = await deps.repos.datasets.findById(model.datasetId);
  if (dataset?.activeModelId === model.id) return { model, promoted: true, gate: null };
  const active = dataset?.activeModelId
    ? await deps.repos.models.findById(dataset.activeModelId)
    : null;
  // A model promoted by hand or judged against the active one must first hold the items stored
  // since its run: the gate embeds both models' missing items before it compares them; a forced
  // or first model is caught up here, before the switch.
  const ensureEmbedded =
    options.ensureEmbedded ??
    (async (id: string) => void (await embedMissingItems(deps, id, deps.env.EMBED_BATCH_SIZE)));
  if (options.force || !active) await ensureEmbedded(model.id);
  const gate: PromotionGate = options.force
    ? forced(deps, active)
    : await judgePromotion(deps, model, active, { ...options, ensureEmbedded });
  const judged = await deps.repos.models.setGate(model.id, { ...gate });
  if (!allowsPromotion(gate)) return { model: judged, promoted: false, gate };
  if (!(await deps.db.embeddings.hasIndex(model.id))) await deps.db.embeddings.buildIndex(model.id);
  const promoted = await deps.repos.models.promote(model.id);
  // And the items that arrived while it was being promoted, before ingestion saw it active.
  await embedMissingItems(deps, model.id, deps.env.EMBED_BATCH_SIZE);
  await emitEvent(deps, model.datasetId, 'model.promoted', {
    modelId: model.id,
    version: model.version,
    forced: options.force,
    verdict: gate.verdict,
  });
  return { model: promoted, promoted: true, gate };
}

function forced(deps: AppDeps, active: Model | null): PromotionGate {
  return { ...unjudged(deps, active), verdict: 'FORCED', reason: 'forced by an admin; not judged' };
}
