/** Per-request DataLoaders: one query per type per tick, whatever the shape of the request. */
import type {
  Dataset,
  DatasetCounts,
  EmbeddingRepository,
  FeatureVectorInfo,
  ItemEmbeddingRef,
  ItemSummary,
  Label,
  Model,
  Repositories,
  Site,
  TrainingRun,
} from '@concord/db';
import DataLoader from 'dataloader';
import { loadRecords, type RecordRef } from './services/records/get-record.ts';

function byId<T extends { id: string }>(
  load: (ids: readonly string[]) => Promise<T[]>,
): DataLoader<string, T | null> {
  return new DataLoader(async (ids) => {
    const rows = new Map((await load(ids)).map((row) => [row.id, row]));
    return ids.map((id) => rows.get(id) ?? null);
  });
}

function groupedBy<T extends { itemId: string }>(
  load: (ids: readonly string[]) => Promise<T[]>,
): DataLoader<string, T[]> {
  return new DataLoader(async (ids) => {
    const groups = new Map<string, T[]>();
    for (const row of await load(ids))
      groups.set(row.itemId, [...(groups.get(row.itemId) ?? []), row]);
    return ids.map((id) => groups.get(id) ?? []);
  });
}

export function createLoaders(repos: Repositories, embeddings: EmbeddingRepository) {
  return {
    dataset: byId<Dataset>((ids) => repos.datasets.findByIds(ids)),
    site: byId<Site>((ids) => repos.datasets.findSitesByIds(ids)),
    label: byId<Label>((ids) => repos.datasets.findLabelsByIds(ids)),
    item: byId<ItemSummary>((ids) => repos.items.findByIds(ids)),
    model: byId<Model>((ids) => repos.models.findByIds(ids)),
    run: byId<TrainingRun>((ids) => repos.runs.findByIds(ids)),
    /** One aggregate query for the counts of every dataset on the page. */
    itemCounts: new DataLoader<string, DatasetCounts>((ids) => repos.itemCounts.countsOf(ids)),
    /** The models that embedded each item (its lineage, and whether the active one did). */
    itemEmbeddings: groupedBy<ItemEmbeddingRef>((ids) => embeddings.modelsOf(ids)),
    itemFeatureVectors: groupedBy<FeatureVectorInfo>((ids) => repos.items.featureVectorInfo(ids)),
    /** A record's items and counts, by (dataset, key). */
    record: new DataLoader((refs: readonly RecordRef[]) => loadRecords({ repos }, refs), {
      cacheKeyFn: (ref) => `${ref.datasetId}\u0000${ref.key}`,
    }),
    itemLabelIds: new DataLoader<string, string[]>(async (ids) => {
      const map = await repos.items.labelIdsOf(ids);
      return ids.map((id) => map.get(id) ?? []);
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

/** The labels of an item through the loaders (two batched queries for a whole page). */
export async function labelsOf(loaders: Loaders, itemId: string): Promise<Label[]> {
  const ids = await loaders.itemLabelIds.load(itemId);
  const labels = await loaders.label.loadMany(ids);
  return labels.filter((label): label is Label => label !== null && !(label instanceof Error));
}
