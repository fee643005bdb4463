/**
 * A record by its key: the items of a dataset ingested with that record key. Null when none has
 * it; the key is checked like the one given at ingestion.
 */
import type { ItemSummary } from '@concord/db';
import { authorize, type Principal } from '../../auth/principal.ts';
import type { AppDeps } from '../../context.ts';
import { badInput, notFound } from '../../errors.ts';
import { checkRecordKey } from '../items/record-key.ts';

/** Items a record answers with, oldest first. */
export const MAX_RECORD_ITEMS = 1_000;

/** A record as the API answers it: its key and dataset; counts and items come through loaders. */
export interface RecordRef {
  datasetId: string;
  key: string;
}

export interface RecordContent {
  itemCount: number;
  createdAt: Date;
  items: ItemSummary[];
}

export async function getRecord(
  deps: AppDeps,
  principal: Principal | null,
  datasetId: string,
  key: string,
): Promise<RecordRef | null> {
  authorize(principal, 'viewer', datasetId);
  const recordKey = checkRecordKey(key, ['key']);
  if (recordKey === null) throw badInput('Give a record key.', ['key']);
  if (!(await deps.repos.datasets.findById(datasetId))) throw notFound('dataset', datasetId);
  const content = await loadRecords(deps, [{ datasetId, key: recordKey }]);
  return content[0] ? { datasetId, key: recordKey } : null;
}

/** The content of each record (null for a key no item has), a few queries per dataset. */
export async function loadRecords(
  deps: Pick<AppDeps, 'repos'>,
  refs: readonly RecordRef[],
): Promise<(RecordContent | null)[]> {
  const byDataset = new Map<string, Set<string>>();
  for (const ref of refs)
    byDataset.set(ref.datasetId, (byDataset.get(ref.datasetId) ?? new Set()).add(ref.key));
  const found = new Map<string, RecordContent>();
  for (const [datasetId, keys] of byDataset) {
    const stats = await deps.repos.items.recordStats(datasetId, [...keys]);
    for (const [key, stat] of stats) {
      const items = await deps.repos.items.listByRecord(datasetId, key, MAX_RECORD_ITEMS);
      found.set(`${datasetId}\u0000${key}`, { ...stat, items });
    }
  }
  return refs.map((ref) => found.get(`${ref.datasetId}\u0000${ref.key}`) ?? null);
}
