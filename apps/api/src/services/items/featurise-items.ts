/**
 * The content pipeline both ingestion paths run: prepared items through the featuriser pool, each
 * result decided — a duplicate of content already stored, a failure with its code, or a new item
 * ready to be written (the caller writes it: directly, or with a staged row's outcome).
 */
import type { Dataset, ItemSplit, NewItem } from '@concord/db';
import type { AppDeps } from '../../context.ts';
import type { PreparedItem } from './prepare-items.ts';

export interface ItemOutcome {
  index: number;
  key: string | null;
  status: 'CREATED' | 'DUPLICATE' | 'FAILED';
  itemId: string | null;
  errorCode: string | null;
  error: string | null;
}

export type Decision =
  | { kind: 'outcome'; outcome: ItemOutcome }
  /** A new item; `labelIds` are filled in by `labelIdsOf` when it is written. */
  | { kind: 'new'; item: Omit<NewItem, 'labelIds'> };

export async function* featuriseItems(
  deps: AppDeps,
  dataset: Pick<Dataset, 'id' | 'modalities'> & { featurisers: unknown },
  prepared: PreparedItem[],
): AsyncGenerator<{ p: PreparedItem; decision: Decision }> {
  const { repos } = deps;
  // The dataset's own CNN, the one it was created with: all its vectors come from one featuriser.
  const imageId = deps.featurisers.imageIdOf(dataset);
  const byIndex = new Map(prepared.map((p) => [String(p.index), p]));
  const isKnown = async (checksum: string, modality: 'image' | 'text') =>
    (await repos.items.findByChecksum(dataset.id, modality, checksum)) !== null;
  for await (const result of deps.featurisers.run(
    imageId,
    prepared.map((p) => p.source),
    isKnown,
  )) {
    const p = byIndex.get(result.item.key)!;
    const base = { index: p.index, key: p.key, itemId: null, errorCode: null, error: null };
    if (result.status === 'failed') {
      const outcome: ItemOutcome = {
        ...base,
        status: 'FAILED',
        errorCode: result.error.code,
        error: result.error.message,
      };
      yield { p, decision: { kind: 'outcome', outcome } };
    } else if (result.status === 'known') {
      const existing = await repos.items.findByChecksum(
        dataset.id,
        result.modality,
        result.checksum,
      );
      const outcome: ItemOutcome = { ...base, status: 'DUPLICATE', itemId: existing?.id ?? null };
      yield { p, decision: { kind: 'outcome', outcome } };
    } else if (!dataset.modalities.includes(result.modality)) {
      const outcome: ItemOutcome = {
        ...base,
        status: 'FAILED',
        errorCode: 'TYPE_MISMATCH',
        error: `This dataset holds no ${result.modality} items.`,
      };
      yield { p, decision: { kind: 'outcome', outcome } };
    } else {
      const item: Omit<NewItem, 'labelIds'> = {
        datasetId: dataset.id,
        siteId: p.siteId,
        modality: result.modality,
        externalKey: p.key,
        content: result.modality === 'image' ? result.content : null,
        text: result.text ?? null,
        mimeType: result.mime,
        sizeBytes: result.size,
        checksum: result.checksum,
        metadata: { ...result.metadata, ...(p.metadata ?? {}) },
        split: p.split ?? splitOf(result.checksum),
        status: 'READY',
        error: null,
        features:
          result.modality === 'image'
            ? {
                featuriserId: result.featuriserId,
                featuriserVersion: result.featuriserVersion,
                values: result.features,
              }
            : null,
      };
      yield { p, decision: { kind: 'new', item } };
    }
  }
}

/**
 * Label ids by name, created with the first item that needs them (so a batch whose items all
 * fail writes no labels).
 */
export function labelResolver(
  deps: AppDeps,
  datasetId: string,
  names: () => string[],
): (labels: string[]) => Promise<string[]> {
  let idByName: Map<string, string> | null = null;
  return async (labels) => {
    idByName ??= new Map(
      (await deps.repos.datasets.ensureLabels(datasetId, [...new Set(names())])).map((label) => [
        label.name,
        label.id,
      ]),
    );
    const missing = labels.filter((name) => !idByName!.has(name));
    if (missing.length > 0) {
      for (const label of await deps.repos.datasets.ensureLabels(datasetId, missing))
        idByName.set(label.name, label.id);
    }
    return labels.map((name) => idByName!.get(name)!);
  };
}

/** Deterministic 80/10/10 split from the content checksum, so re-ingesting keeps the split. */
export function splitOf(checksum: string): ItemSplit {
  const bucket = parseInt(checksum.slice(0, 8), 16) % 10;
  return bucket === 0 ? 'TEST' : bucket === 1 ? 'VALIDATION' : 'TRAIN';
}
