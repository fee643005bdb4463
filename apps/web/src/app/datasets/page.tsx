'use client';
import Link from 'next/link';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { DatasetCountsView } from '../../components/dataset-counts.tsx';
import { Empty, ErrorBox, Loading } from '../../components/states.tsx';
import {
  AllDatasetCountsDocument,
  CreateDatasetDocument,
  ImageFeaturisersDocument,
  type AllDatasetCountsQuery,
} from '../../generated/graphql.ts';
import { errorMessage, execute } from '../../lib/client.ts';
import { countRows } from '../../lib/counts.ts';
import { useDatasets, type DatasetSummary } from '../../lib/datasets.tsx';
import { hasRole, useSession } from '../../lib/session.tsx';
import { useQuery, type QueryState } from '../../lib/use-query.ts';

export default function DatasetsPage() {
  const { datasets } = useDatasets();
  const { state } = useSession();
  const list = datasets.data?.datasets.edges.map((e) => e.node) ?? [];
  // Every dataset's counts in one request (one aggregate SQL statement on the API).
  const counts = useQuery(AllDatasetCountsDocument, {}, { skip: list.length === 0 });
  const refetch = () => {
    datasets.refetch();
    counts.refetch();
  };
  return (
    <>
      <div className="page-head">
        <h1>Datasets</h1>
      </div>
      {hasRole(state, 'ADMIN') ? <CreateDataset onCreated={refetch} /> : null}
      {datasets.error ? <ErrorBox error={datasets.error} retry={datasets.refetch} /> : null}
      {!datasets.data && !datasets.error ? <Loading /> : null}
      {datasets.data && list.length === 0 ? (
        <Empty title="No datasets yet">An admin creates the first one above.</Empty>
      ) : null}
      {list.map((dataset) => (
        <DatasetRow key={dataset.id} dataset={dataset} counts={counts} />
      ))}
    </>
  );
}

function DatasetRow({
  dataset,
  counts: all,
}: {
  dataset: DatasetSummary;
  counts: QueryState<AllDatasetCountsQuery>;
}) {
  const found = all.data?.datasets.edges.find((e) => e.node.id === dataset.id)?.node.counts;
  const counts = found ? countRows(found) : null;
  const error = all.error ?? null;
  return (
    <section className="panel" data-testid="dataset-row">
      <div className="page-head">
        <div>
          <h2>
            <Link href={`/datasets/${dataset.id}`}>{dataset.name}</Link>
          </h2>
          <div className="muted small">
            {dataset.itemCount} items · {dataset.sites.length} sites · {dataset.labels.length}{' '}
            labels · D = {dataset.dimension} ·{' '}
            {dataset.activeModel
              ? `active model v${dataset.activeModel.version}`
              : 'no active model'}
          </div>
        </div>
        <Link className="button" href={`/datasets/${dataset.id}`}>
          Open
        </Link>
      </div>
      {error ? <ErrorBox error={error} retry={all.refetch} /> : null}
      {!counts && !error ? <Loading label="Counting items…" /> : null}
      {counts ? <DatasetCountsView counts={counts} /> : null}
    </section>
  );
}

function CreateDataset({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState('');
  const [dimension, setDimension] = useState('256');
  const featurisers = useQuery(ImageFeaturisersDocument, {});
  const offered = featurisers.data?.imageFeaturisers ?? [];
  // Default: the first offered (the built-in MobileNetV2) until the user picks another.
  const [picked, setPicked] = useState<string | null>(null);
  const featuriser = picked ?? offered[0]?.id ?? null;
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { createDataset } = await execute(CreateDatasetDocument, {
        input: {
          name: name.trim(),
          dimension: Number(dimension),
          ...(featuriser ? { imageFeaturiser: featuriser } : {}),
        },
      });
      if (createDataset.errors.length > 0) {
        setError(createDataset.errors.map((e) => e.message).join(' '));
      } else {
        setName('');
        onCreated();
      }
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <details className="panel">
      <summary>New dataset</summary>
      <form className="form-grid" onSubmit={(e) => void submit(e)} style={{ marginTop: 12 }}>
        <label className="field">
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} required />
        </label>
        <label className="field">
          Dimension D
          <input
            type="number"
            min={2}
            max={4000}
            value={dimension}
            onChange={(e) => setDimension(e.target.value)}
          />
        </label>
        <label className="field">
          Image featuriser
          <select
            value={featuriser ?? ''}
            onChange={(e) => setPicked(e.target.value)}
            disabled={offered.length === 0}
            data-testid="image-featuriser-select"
          >
            {offered.map((f) => (
              <option key={f.id} value={f.id} disabled={f.dims === null} title={f.description}>
                {f.id}
                {f.dims !== null ? ` · ${f.dims}-d · ${f.inputSize} px` : ' · cannot be loaded'}
              </option>
            ))}
          </select>
        </label>
        <div className="field" style={{ alignSelf: 'end' }}>
          <button className="button primary" disabled={busy || !name.trim()}>
            {busy ? 'Creating…' : 'Create'}
          </button>
        </div>
        {featurisers.error ? (
          <p className="field-error">Image featurisers: {errorMessage(featurisers.error)}</p>
        ) : null}
        {error ? <p className="field-error">{error}</p> : null}
        <p className="muted small" style={{ gridColumn: '1 / -1' }}>
          The image featuriser turns every image (and every image query) into features; it is fixed
          once the dataset exists.
        </p>
      </form>
    </details>
  );
}
