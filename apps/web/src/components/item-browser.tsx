'use client';
/** A dataset's items with filters (site, label, modality, status), statuses and errors, paged. */
import { useEffect, useState } from 'react';
import {
  ItemsDocument,
  type IngestionStatus,
  type ItemFilter,
  type ItemsQuery,
  type Modality,
} from '../generated/graphql.ts';
import { execute } from '../lib/client.ts';
import { FilterChips } from './filter-chips.tsx';
import { ItemCard } from './item-card.tsx';
import { Empty, ErrorBox, SkeletonGrid } from './states.tsx';

type ItemNode = ItemsQuery['items']['edges'][number]['node'];
const PAGE = 30;

export function ItemBrowser({
  datasetId,
  sites,
  labels,
  version,
}: {
  datasetId: string;
  sites: readonly { id: string; name: string }[];
  labels: readonly { id: string; name: string }[];
  /** Bumped after an upload to reload. */
  version: number;
}) {
  const [siteIds, setSiteIds] = useState<string[]>([]);
  const [labelIds, setLabelIds] = useState<string[]>([]);
  const [modality, setModality] = useState<Modality | ''>('');
  const [status, setStatus] = useState<IngestionStatus | ''>('');
  const [items, setItems] = useState<ItemNode[] | null>(null);
  const [total, setTotal] = useState(0);
  const [cursor, setCursor] = useState<string | null>(null);
  const [hasMore, setHasMore] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);

  const filter: ItemFilter = {
    sites: siteIds.length ? siteIds : null,
    labels: labelIds.length ? labelIds : null,
    modality: modality || null,
    status: status || null,
  };
  const filterKey = JSON.stringify(filter);

  async function load(after: string | null) {
    setError(null);
    try {
      const data = await execute(ItemsDocument, {
        datasetId,
        filter: JSON.parse(filterKey) as ItemFilter,
        first: PAGE,
        after,
      });
      const page = data.items.edges.map((e) => e.node);
      setItems((previous) => (after && previous ? [...previous, ...page] : page));
      setTotal(data.items.totalCount);
      setCursor(data.items.pageInfo.endCursor ?? null);
      setHasMore(data.items.pageInfo.hasNextPage);
    } catch (e) {
      setError(e);
    }
  }

  useEffect(() => {
    setItems(null);
    void load(null);
    // Reload when the dataset, the filter or the upload version changes.
  }, [datasetId, filterKey, version, attempt]);

  return (
    <section className="panel">
      <div className="page-head">
        <h2>Items</h2>
        <span className="muted small" data-testid="item-total">
          {items ? `${total} matching` : ''}
        </span>
      </div>
      <div className="form-grid" style={{ marginBottom: 12 }}>
        <label className="field">
          Modality
          <select value={modality} onChange={(e) => setModality(e.target.value as Modality | '')}>
            <option value="">All</option>
            <option value="IMAGE">Images</option>
            <option value="TEXT">Documents</option>
          </select>
        </label>
        <label className="field">
          Ingestion status
          <select
            value={status}
            onChange={(e) => setStatus(e.target.value as IngestionStatus | '')}
          >
            <option value="">All</option>
            <option value="READY">Ready</option>
            <option value="PENDING">Pending</option>
            <option value="FAILED">Failed</option>
          </select>
        </label>
      </div>
      <div className="row" style={{ marginBottom: 8 }}>
        <span className="small muted">Sites</span>
        <FilterChips options={sites} value={siteIds} onChange={setSiteIds} />
      </div>
      <div className="row" style={{ marginBottom: 12 }}>
        <span className="small muted">Labels</span>
        <FilterChips options={labels} value={labelIds} onChange={setLabelIds} />
      </div>
      {error && !items ? <ErrorBox error={error} retry={() => setAttempt((a) => a + 1)} /> : null}
      {!items && !error ? <SkeletonGrid count={6} /> : null}
      {items && items.length === 0 ? (
        <Empty title="No items match">Upload items, or change the filters.</Empty>
      ) : null}
      {items && items.length > 0 ? (
        <div className="grid">
          {items.map((item) => (
            <ItemCard key={item.id} item={item}>
              <span className={`badge status-${item.status.toLowerCase()}`}>
                {item.status.toLowerCase()}
              </span>
              <span className="badge">{item.split.toLowerCase()}</span>
              {item.error ? (
                <span className="field-error" title={item.error}>
                  {item.error}
                </span>
              ) : null}
            </ItemCard>
          ))}
        </div>
      ) : null}
      {items && hasMore ? (
        <div className="row" style={{ justifyContent: 'center', marginTop: 12 }}>
          <button type="button" className="button" onClick={() => void load(cursor)}>
            Load more
          </button>
        </div>
      ) : null}
    </section>
  );
}
