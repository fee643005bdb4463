/**
 * Item counts of datasets per site, site × modality, modality and label, from the API's
 * `Dataset.counts` (one aggregate SQL statement for a whole page of datasets), as bar rows.
 */
import type { DatasetCountsFragment } from '../generated/graphql.ts';

export interface CountRow {
  key: string;
  name: string;
  count: number;
}

export interface DatasetCounts {
  bySite: CountRow[];
  bySiteModality: CountRow[];
  byModality: CountRow[];
  byLabel: CountRow[];
  total: number;
  failed: number;
  pending: number;
  unlabelled: number;
}

export function countRows(counts: DatasetCountsFragment): DatasetCounts {
  return {
    bySite: counts.bySite.map((s) => ({ key: s.site.id, name: s.site.name, count: s.count })),
    bySiteModality: counts.bySite.flatMap((s) =>
      s.byModality.map((m) => ({
        key: `${s.site.id}:${m.modality}`,
        name: `${s.site.name} · ${m.modality}`,
        count: m.count,
      })),
    ),
    byModality: counts.byModality.map((m) => ({
      key: m.modality,
      name: m.modality,
      count: m.count,
    })),
    byLabel: counts.byLabel.map((l) => ({ key: l.label.id, name: l.label.name, count: l.count })),
    total: counts.total,
    failed: counts.failed,
    pending: counts.pending,
    unlabelled: counts.unlabelled,
  };
}
