/**
 * The content pipeline both ingestion paths run: prepared items through the featuriser pool, each
 * result decided — a duplicate of an item already stored (same key and content, or keyless content:
 * see item-identity.ts), a failure with its code, or a new item
 * ready to be written (the caller writes it: directly, or with a staged row's outcome).
 */
import type { Dataset, ItemSplit, NewItem } from '@concord/db';
import { vectorChecksum, type SourceItem } from '@concord/features';
import type { AppDeps } from '../../context.ts';
import {
  importedFeaturesOf,
  IMPORTED_VERSION,
  VECTOR_MIME,
} from '../datasets/imported-features.ts';
import { identityOf, storedOutcome } from './item-identity.ts';
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
  // Identity by key (item-identity.ts): an item whose key, or keyless content, is stored is not
  // featurised again; new content already stored under another key reuses its vector.
  const identity = (p: PreparedItem, modality: string, checksum: string) =>
    identityOf(repos, dataset.id, modality, p.key, checksum);
  const isKnown = async (checksum: string, modality: 'image' | 'text', item: SourceItem) =>
    (await identity(byIndex.get(item.key)!, modality, checksum)).kind !== 'new';
  const storedFeatures = (
    checksum: string,
    modality: 'image' | 'text',
    featuriser: { id: string; version: string },
  ) =>
    modality === 'image'
      ? repos.items.featuresByChecksum(dataset.id, modality, checksum, featuriser)
      : Promise.resolve(null);
  // Imported vectors skip the pipeline: checked at preparation, stored as they are.
  const imported = importedFeaturesOf(dataset);
  for (const p of prepared) {
    if (!p.vector) continue;
    const modality = p.source.modality!;
    const features = imported.get(modality);
    const base = { index: p.index, key: p.key, itemId: null, errorCode: null, error: null };
    if (!features || features.dimension !== p.vector.length) {
      // Checked when prepared; only a staged row could disagree with the dataset.
      const error = `This dataset's ${modality} features are not ${p.vector.length}-d imported vectors.`;
      const outcome: ItemOutcome = { ...base, status: 'FAILED', errorCode: 'TYPE_MISMATCH', error };
      yield { p, decision: { kind: 'outcome', outcome } };
      continue;
    }
    const checksum = vectorChecksum(p.vector);
    const stored = storedOutcome(await identity(p, modality, checksum), p);
    if (stored) {
      yield { p, decision: { kind: 'outcome', outcome: stored } };
      continue;
    }
    const item: Omit<NewItem, 'labelIds'> = {
      datasetId: dataset.id,
      siteId: p.siteId,
      modality,
      externalKey: p.key,
      recordKey: p.record,
      content: null,
      text: null,
      mimeType: VECTOR_MIME,
      sizeBytes: p.vector.byteLength,
      checksum,
      metadata: p.metadata ?? {},
      split: p.split ?? splitOf(checksum),
      status: 'READY',
      error: null,
      features: {
        featuriserId: features.id,
        featuriserVersion: IMPORTED_VERSION,
        values: p.vector,
      },
    };
    yield { p, decision: { kind: 'new', item } };
  }
  const raw = prepared.filter((p) => !p.vector);
  if (raw.length === 0) return;
  for await (const result of deps.featurisers.run(
    imageId,
    raw.map((p) => p.source),
    { isKnown, storedFeatures },
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
      const outcome = storedOutcome(await identity(p, result.modality, result.checksum), p) ?? {
        ...base,
        status: 'FAILED',
        errorCode: 'CONFLICT',
        error: 'The stored item this one matched was deleted meanwhile; send it again.',
      };
      yield { p, decision: { kind: 'outcome', outcome } };
    } else if (!dataset.modalities.includes(result.modality) || imported.has(result.modality)) {
      const outcome: ItemOutcome = {
        ...base,
        status: 'FAILED',
        errorCode: 'TYPE_MISMATCH',
        error: imported.has(result.modality)
          ? `This dataset's ${result.modality} features are imported: give a vector.`
          : `This dataset holds no ${result.modality} items.`,
      };
      yield { p, decision: { kind: 'outcome', outcome } };
    } else {
      const item: Omit<NewItem, 'labelIds'> = {
        datasetId: dataset.id,
        siteId: p.siteId,
        modality: result.modality,
        externalKey: p.key,
        recordKey: p.record,
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
