'use client';
import Link from 'next/link';
import { use } from 'react';
import { Empty, QueryView } from '../../../components/states.tsx';
import { ItemDocument } from '../../../generated/graphql.ts';
import { useQuery } from '../../../lib/use-query.ts';

export default function ItemPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = use(params);
  const item = useQuery(ItemDocument, { id });
  return (
    <QueryView state={item}>
      {({ item: it }) =>
        !it ? (
          <Empty title="Item not found">It may have been deleted, or the link is wrong.</Empty>
        ) : (
          <div className="columns">
            <section className="panel">
              {it.modality === 'IMAGE' && it.large ? (
                <img src={it.large} alt={it.externalKey ?? 'item'} style={{ width: '100%' }} />
              ) : (
                <p style={{ whiteSpace: 'pre-wrap' }}>{it.text}</p>
              )}
              <Link className="button primary" href={`/search?item=${it.id}`}>
                Use as query
              </Link>
            </section>
            <section className="panel">
              <h1 data-testid="item-title">{it.externalKey ?? it.id}</h1>
              <dl className="kv">
                <dt>Dataset</dt>
                <dd>
                  <Link href={`/datasets/${it.dataset.id}`}>{it.dataset.name}</Link>
                </dd>
                <dt>Site</dt>
                <dd>{it.site.name}</dd>
                <dt>Labels</dt>
                <dd>{it.labels.map((l) => l.name).join(', ') || '—'}</dd>
                <dt>Modality</dt>
                <dd>{it.modality.toLowerCase()}</dd>
                <dt>Status</dt>
                <dd>
                  <span className={`badge status-${it.status.toLowerCase()}`}>
                    {it.status.toLowerCase()}
                  </span>
                  {it.error ? <span className="field-error"> {it.error}</span> : null}
                </dd>
                <dt>Split</dt>
                <dd>{it.split.toLowerCase()}</dd>
                <dt>Type</dt>
                <dd>
                  {it.mimeType}, {(it.sizeBytes / 1024).toFixed(1)} KiB
                </dd>
                <dt>Checksum</dt>
                <dd>
                  <code>{it.checksum.slice(0, 16)}…</code>
                </dd>
                <dt>Added</dt>
                <dd>{new Date(it.createdAt).toLocaleString()}</dd>
                <dt>Searchable</dt>
                <dd data-testid="item-embedded">
                  {it.embedded
                    ? 'yes: the active model has embedded it'
                    : 'not yet: no active model has embedded it'}
                </dd>
              </dl>
              <h3 style={{ marginTop: 12 }}>Lineage</h3>
              <table className="table" data-testid="item-lineage">
                <tbody>
                  {it.featureVectors.map((f) => (
                    <tr key={`${f.featuriserId}@${f.featuriserVersion}`}>
                      <td>features</td>
                      <td>
                        <code>{f.featuriserId}</code>{' '}
                        <span className="muted" title={f.featuriserVersion}>
                          {shortVersion(f.featuriserVersion)}
                        </span>
                      </td>
                      <td>{f.dimension}-d</td>
                    </tr>
                  ))}
                  {it.modality === 'TEXT' && it.featureVectors.length === 0 ? (
                    <tr>
                      <td>features</td>
                      <td colSpan={2}>the text, through each model&apos;s own fitted LSA</td>
                    </tr>
                  ) : null}
                  {it.embeddings.map((e) => (
                    <tr key={e.model.id}>
                      <td>embedded</td>
                      <td>
                        <Link href="/models">model v{e.model.version}</Link> (
                        {e.model.status.toLowerCase()})
                      </td>
                      <td>{new Date(e.createdAt).toLocaleString()}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <h3 style={{ marginTop: 12 }}>Metadata</h3>
              <pre className="logs">{JSON.stringify(it.metadata, null, 2)}</pre>
            </section>
          </div>
        )
      }
    </QueryView>
  );
}

/** A featuriser's version as stored (`nsfwjs@4.4.0`), or the start of a long hash. */
const shortVersion = (version: string) =>
  version.length > 24 ? `${version.slice(0, 12)}…` : version;
