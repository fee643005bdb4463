'use client';
/**
 * Item counts of a dataset per site, modality and label. The API has no aggregate query, so each
 * count is one `items(first: 1) { totalCount }` request, sent in parallel.
 */
import { useEffect, useState } from 'react';
import { ItemCountDocument, type ItemFilter, type Modality } from '../generated/graphql.ts';
import { execute } from './client.ts';

export interface CountRow {
  key: string;
  name: string;
  count: number;
}

export interface DatasetCounts {
  bySite: CountRow[];
  byModality: CountRow[];
  byLabel: CountRow[];
  failed: number;
}

export function useDatasetCounts(dataset: {
  id: string;
  modalities: readonly string[];
  sites: readonly { id: string; name: string }[];
  labels: readonly { id: string; name: string }[];
}): { counts: DatasetCounts | null; error: Error | null } {
  const [counts, setCounts] = useState<DatasetCounts | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const key = JSON.stringify([dataset.id, dataset.modalities, dataset.sites, dataset.labels]);

  useEffect(() => {
    let live = true;
    const count = (filter: ItemFilter) =>
      execute(ItemCountDocument, { datasetId: dataset.id, filter }).then((d) => d.items.totalCount);
    const modalities = dataset.modalities
      .map((m) => m.toUpperCase())
      .filter((m): m is Modality => m === 'IMAGE' || m === 'TEXT');
    Promise.all([
      Promise.all(dataset.sites.map((s) => count({ sites: [s.id] }))),
      Promise.all(modalities.map((m) => count({ modality: m }))),
      Promise.all(dataset.labels.map((l) => count({ labels: [l.id] }))),
      count({ status: 'FAILED' }),
    ]).then(
      ([sites, mods, labels, failed]) => {
        if (!live) return;
        setCounts({
          bySite: dataset.sites.map((s, i) => ({ key: s.id, name: s.name, count: sites[i]! })),
          byModality: modalities.map((m, i) => ({
            key: m,
            name: m.toLowerCase(),
            count: mods[i]!,
          })),
          byLabel: dataset.labels.map((l, i) => ({ key: l.id, name: l.name, count: labels[i]! })),
          failed,
        });
      },
      (e: unknown) => live && setError(e instanceof Error ? e : new Error(String(e))),
    );
    return () => {
      live = false;
    };
    // `key` stands for the dataset's content; the object itself is new on every render.
  }, [key]);
  return { counts, error };
}
