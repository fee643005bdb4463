'use client';
import { use, useState } from 'react';
import type { FormEvent } from 'react';
import { DatasetCountsView } from '../../../components/dataset-counts.tsx';
import { ItemBrowser } from '../../../components/item-browser.tsx';
import { Empty, QueryView } from '../../../components/states.tsx';
import { UploadPanel } from '../../../components/upload-panel.tsx';
import {
  CreateLabelDocument,
  CreateSiteDocument,
  DatasetDocument,
} from '../../../generated/graphql.ts';
import { errorMessage, execute } from '../../../lib/client.ts';
import { countRows } from '../../../lib/counts.ts';
import { useDatasets } from '../../../lib/datasets.tsx';
import { hasRole, useSession } from '../../../lib/session.tsx';
import { useQuery } from '../../../lib/use-query.ts';

export default function DatasetPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = use(params);
  const dataset = useQuery(DatasetDocument, { id });
  const { datasets } = useDatasets();
  const { state } = useSession();
  const [version, setVersion] = useState(0);
  const canEdit = hasRole(state, 'EDITOR');
  const refresh = () => {
    dataset.refetch();
    datasets.refetch();
    setVersion((v) => v + 1);
  };

  return (
    <QueryView state={dataset}>
      {({ dataset: d }) =>
        !d ? (
          <Empty title="Dataset not found">
            It may have been deleted, or your key is not scoped to it.
          </Empty>
        ) : (
          <>
            <div className="page-head">
              <div>
                <h1>{d.name}</h1>
                <div className="muted small">
                  {d.itemCount} items · modalities {d.modalities.join(', ')} · D = {d.dimension} ·{' '}
                  {d.activeModel ? `active model v${d.activeModel.version}` : 'no active model'}
                </div>
                {d.imageFeaturiser ? (
                  <div className="muted small" data-testid="image-featuriser">
                    Images featurised by <code>{d.imageFeaturiser.id}</code>
                    {d.imageFeaturiser.dims !== null ? ` (${d.imageFeaturiser.dims}-d)` : ''} —{' '}
                    {d.imageFeaturiser.description}; fixed when the dataset was created.
                  </div>
                ) : null}
                {d.modalityFeaturisers
                  .filter((f) => f.kind === 'IMPORTED')
                  .map((f) => (
                    <div className="muted small" data-testid="imported-features" key={f.modality}>
                      {f.modality.toLowerCase()} features are imported vectors <code>{f.id}</code>
                      {f.dimension !== null ? ` (${f.dimension}-d)` : ''} from the team&apos;s own
                      encoder: load them with the import CLI&apos;s <code>--vectors</code> or the
                      API&apos;s <code>vector</code> input; search them by item or by features.
                    </div>
                  ))}
              </div>
            </div>
            <section className="panel">
              <h2>Items</h2>
              <DatasetCountsView counts={countRows(d.counts)} />
            </section>
            <div className="two">
              <NamedList
                title="Sites"
                names={d.sites.map((s) => ({ id: s.id, name: s.name, note: s.description }))}
                onAdd={
                  canEdit
                    ? async (name) => {
                        const r = await execute(CreateSiteDocument, {
                          datasetId: d.id,
                          input: { name },
                        });
                        return r.createSite.errors.map((e) => e.message);
                      }
                    : null
                }
                onChanged={refresh}
              />
              <NamedList
                title="Labels"
                names={d.labels.map((l) => ({ id: l.id, name: l.name, note: `class ${l.index}` }))}
                onAdd={
                  canEdit
                    ? async (name) => {
                        const r = await execute(CreateLabelDocument, { datasetId: d.id, name });
                        return r.createLabel.errors.map((e) => e.message);
                      }
                    : null
                }
                onChanged={refresh}
              />
            </div>
            {canEdit ? (
              <UploadPanel
                datasetId={d.id}
                sites={d.sites}
                labels={d.labels}
                onUploaded={refresh}
              />
            ) : null}
            <ItemBrowser datasetId={d.id} sites={d.sites} labels={d.labels} version={version} />
          </>
        )
      }
    </QueryView>
  );
}

function NamedList({
  title,
  names,
  onAdd,
  onChanged,
}: {
  title: string;
  names: { id: string; name: string; note: string }[];
  onAdd: ((name: string) => Promise<string[]>) | null;
  onChanged: () => void;
}) {
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!onAdd) return;
    try {
      const errors = await onAdd(name.trim());
      if (errors.length > 0) setError(errors.join(' '));
      else {
        setName('');
        setError(null);
        onChanged();
      }
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  return (
    <section className="panel">
      <h2>{title}</h2>
      {names.length === 0 ? <p className="muted small">None yet.</p> : null}
      <ul style={{ margin: 0, paddingLeft: 18 }}>
        {names.map((n) => (
          <li key={n.id}>
            {n.name} {n.note ? <span className="muted small">— {n.note}</span> : null}
          </li>
        ))}
      </ul>
      {onAdd ? (
        <form className="row" onSubmit={(e) => void submit(e)} style={{ marginTop: 10 }}>
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder={`New ${title.toLowerCase().slice(0, -1)}`}
            aria-label={`New ${title.toLowerCase().slice(0, -1)}`}
            required
          />
          <button className="button small" disabled={!name.trim()}>
            Add
          </button>
          {error ? <p className="field-error">{error}</p> : null}
        </form>
      ) : null}
    </section>
  );
}
