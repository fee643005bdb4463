/**
 * Places stored items in a model's shared space from their stored inputs, exactly as the model's
 * training run embedded its snapshot: an image (or imported) item through its feature vector from
 * the network's featuriser, a text through the model's own fitted LSA. DRCL's networks embed any
 * item from its features, so nothing waits for a retrain: items are embedded on arrival, a new
 * model catches up on the items stored since its run was planned, and the worker's sweep embeds
 * what an arrival could not.
 */
import type { AppDeps } from '../../context.ts';

export interface ItemRef {
  itemId: string;
  modality: string;
}

export interface EmbedCount {
  embedded: number;
  /** Items the model cannot place: no network for their modality, or no input features for it. */
  skipped: number;
}

type EmbedDeps = Pick<AppDeps, 'db' | 'repos' | 'runtime'>;

/** Embeds `items` by the model and stores the vectors (replacing earlier ones of the model). */
export async function embedItems(
  deps: EmbedDeps,
  modelId: string,
  items: readonly ItemRef[],
): Promise<EmbedCount> {
  const count: EmbedCount = { embedded: 0, skipped: 0 };
  const byModality = new Map<string, string[]>();
  for (const item of items) {
    const ids = byModality.get(item.modality) ?? [];
    ids.push(item.itemId);
    byModality.set(item.modality, ids);
  }
  for (const [modality, ids] of byModality) {
    const input = await deps.runtime.inputOf(modelId, modality);
    if (!input) {
      count.skipped += ids.length;
      continue;
    }
    const inputs = input.text
      ? new Map(
          [...(await deps.repos.items.textsOf(ids))].map(([id, text]) => [
            id,
            input.text!.featuriseOne(text ?? ''),
          ]),
        )
      : await deps.repos.items.featureVectorsOf(ids, input.featuriserId);
    const ready = ids.filter((id) => inputs.get(id)?.length === input.inputDim);
    count.skipped += ids.length - ready.length;
    if (ready.length === 0) continue;
    const features = new Float32Array(ready.length * input.inputDim);
    ready.forEach((id, i) => features.set(inputs.get(id)!, i * input.inputDim));
    const vectors = await deps.runtime.embedRows(modelId, modality, features);
    const d = vectors.length / ready.length;
    count.embedded += await deps.db.embeddings.upsertMany(
      modelId,
      ready.map((itemId, i) => ({ itemId, vector: vectors.subarray(i * d, (i + 1) * d) })),
      { skipMissing: true },
    );
  }
  return count;
}

/**
 * Embeds every READY item of the model's dataset that the model has not embedded yet, `batch`
 * at a time (at most `limit` in all); returns how many it embedded.
 */
export async function embedMissingItems(
  deps: EmbedDeps,
  modelId: string,
  batch: number,
  limit = Number.POSITIVE_INFINITY,
): Promise<EmbedCount> {
  const total: EmbedCount = { embedded: 0, skipped: 0 };
  let after: string | null = null;
  while (total.embedded + total.skipped < limit) {
    const missing = await deps.db.embeddings.missingItems(modelId, batch, after);
    if (missing.length === 0) break;
    const count = await embedItems(deps, modelId, missing);
    total.embedded += count.embedded;
    total.skipped += count.skipped;
    after = missing.at(-1)!.itemId;
  }
  return total;
}

/**
 * Embeds newly stored items by every live model of their dataset (the active one and a running
 * run's candidate), so they are found by their content when their ingestion answers. A failure
 * is logged, never the caller's: the items are stored, and the worker's sweep embeds them.
 */
export async function embedOnArrival(
  deps: Pick<AppDeps, 'db' | 'repos' | 'runtime' | 'log'>,
  datasetId: string,
  items: readonly ItemRef[],
): Promise<void> {
  if (items.length === 0) return;
  const failed = (error: unknown, modelId?: string) =>
    deps.log.error('embedding new items failed; the sweep embeds them', error, {
      datasetId,
      modelId,
      items: items.length,
    });
  const models = await deps.repos.models.liveFor(datasetId).catch((error: unknown) => {
    failed(error);
    return [];
  });
  for (const model of models) {
    try {
      await embedItems(deps, model.id, items);
    } catch (error) {
      failed(error, model.id);
    }
  }
}
