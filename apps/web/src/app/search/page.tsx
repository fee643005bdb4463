'use client';
import { useRouter, useSearchParams } from 'next/navigation';
import { Suspense, useCallback, useEffect, useRef, useState } from 'react';
import { DropZone, fileToBase64 } from '../../components/drop-zone.tsx';
import { FilterChips } from '../../components/filter-chips.tsx';
import { ItemCard } from '../../components/item-card.tsx';
import { Empty, ErrorBox, Loading, SkeletonGrid } from '../../components/states.tsx';
import {
  SearchDocument,
  type Modality,
  type SearchQuery,
  type SearchQueryInput,
} from '../../generated/graphql.ts';
import { execute } from '../../lib/client.ts';
import { useDatasets } from '../../lib/datasets.tsx';

const PAGE_SIZE = 24;
type Hit = SearchQuery['search']['edges'][number];
type Input = 'image' | 'text';

interface Results {
  hits: Hit[];
  endCursor: string | null;
  hasNextPage: boolean;
  model: SearchQuery['search']['model'];
}

export default function SearchPage() {
  return (
    <Suspense fallback={<Loading />}>
      <Search />
    </Suspense>
  );
}

function Search() {
  const { selected, datasets } = useDatasets();
  const params = useSearchParams();
  const router = useRouter();
  const itemParam = params.get('item');
  const [input, setInput] = useState<Input>('image');
  const [text, setText] = useState('');
  const [preview, setPreview] = useState<string | null>(null);
  const [query, setQuery] = useState<SearchQueryInput | null>(null);
  const [target, setTarget] = useState<Modality | null>('TEXT');
  const [sites, setSites] = useState<string[]>([]);
  const [labels, setLabels] = useState<string[]>([]);
  const [results, setResults] = useState<Results | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const request = useRef(0);

  // "Use as next query" arrives as ?item=<id>.
  useEffect(() => {
    if (itemParam) setQuery({ itemId: itemParam });
  }, [itemParam]);

  const run = useCallback(
    async (after: string | null) => {
      if (!selected || !query) return;
      const id = ++request.current;
      setBusy(true);
      setError(null);
      if (!after) setResults(null);
      try {
        const data = await execute(SearchDocument, {
          datasetId: selected.id,
          query,
          target,
          filters: { sites: sites.length ? sites : null, labels: labels.length ? labels : null },
          first: PAGE_SIZE,
          after,
        });
        if (id !== request.current) return;
        setResults((previous) => ({
          hits: [...(after && previous ? previous.hits : []), ...data.search.edges],
          endCursor: data.search.pageInfo.endCursor ?? null,
          hasNextPage: data.search.pageInfo.hasNextPage,
          model: data.search.model,
        }));
      } catch (e) {
        if (id === request.current) setError(e);
      } finally {
        if (id === request.current) setBusy(false);
      }
    },
    [selected, query, target, sites, labels],
  );

  useEffect(() => {
    void run(null);
  }, [run]);

  async function pickImage(files: File[]) {
    const file = files[0];
    if (!file) return;
    setPreview(URL.createObjectURL(file));
    if (itemParam) router.replace('/search');
    setQuery({ image: await fileToBase64(file) });
  }

  if (datasets.error) return <ErrorBox error={datasets.error} retry={datasets.refetch} />;
  if (!datasets.data) return <Loading label="Loading datasets…" />;
  if (!selected) {
    return <Empty title="No dataset yet">Create a dataset and upload items to search them.</Empty>;
  }

  return (
    <div className="columns">
      <aside className="panel">
        <h1>Search</h1>
        <div className="segmented" role="group" aria-label="Query type">
          {(['image', 'text'] as const).map((kind) => (
            <button
              key={kind}
              type="button"
              aria-pressed={input === kind}
              onClick={() => setInput(kind)}
            >
              {kind === 'image' ? 'Image' : 'Text'}
            </button>
          ))}
        </div>
        <div style={{ marginTop: 12 }}>
          {input === 'image' ? (
            <DropZone accept="image/*" onFiles={(f) => void pickImage(f)} testId="search-file">
              {preview ? (
                // A local object URL of the picked file.
                <img src={preview} alt="query" />
              ) : (
                <p>Drop an image here, or click to pick one.</p>
              )}
            </DropZone>
          ) : (
            <form
              className="form"
              onSubmit={(e) => {
                e.preventDefault();
                if (text.trim()) {
                  if (itemParam) router.replace('/search');
                  setQuery({ text: text.trim() });
                }
              }}
            >
              <textarea
                rows={3}
                value={text}
                onChange={(e) => setText(e.target.value)}
                placeholder="Describe what you are looking for"
                aria-label="Search text"
              />
              <button type="submit" className="button primary" disabled={!text.trim()}>
                Search
              </button>
            </form>
          )}
        </div>
        {query?.itemId ? (
          <p className="small">
            Searching with item <code>{String(query.itemId).slice(0, 8)}</code> as the query.
          </p>
        ) : null}
        <h3 style={{ marginTop: 16 }}>Find</h3>
        <div className="segmented" role="group" aria-label="Target modality">
          {([null, 'IMAGE', 'TEXT'] as const).map((m) => (
            <button
              key={m ?? 'any'}
              type="button"
              aria-pressed={target === m}
              onClick={() => setTarget(m)}
            >
              {m === null ? 'Anything' : m === 'IMAGE' ? 'Images' : 'Documents'}
            </button>
          ))}
        </div>
        <h3 style={{ marginTop: 16 }}>Sites</h3>
        <FilterChips options={selected.sites} value={sites} onChange={setSites} />
        <h3 style={{ marginTop: 16 }}>Labels</h3>
        <FilterChips options={selected.labels} value={labels} onChange={setLabels} />
      </aside>
      <section aria-live="polite">
        <SearchResults
          query={query}
          results={results}
          error={error}
          busy={busy}
          retry={() => void run(null)}
          more={() => void run(results?.endCursor ?? null)}
          useAsQuery={(id) => router.push(`/search?item=${id}`)}
        />
      </section>
    </div>
  );
}

function SearchResults({
  query,
  results,
  error,
  busy,
  retry,
  more,
  useAsQuery,
}: {
  query: SearchQueryInput | null;
  results: Results | null;
  error: unknown;
  busy: boolean;
  retry: () => void;
  more: () => void;
  useAsQuery: (id: string) => void;
}) {
  if (!query) {
    return (
      <Empty title="Start with an image or some text">
        Results from every site appear here, best match first.
      </Empty>
    );
  }
  if (error && !results) return <ErrorBox error={error} retry={retry} />;
  if (!results) return <SkeletonGrid />;
  if (results.hits.length === 0) {
    return <Empty title="No matches">Try another query, or remove some filters.</Empty>;
  }
  return (
    <>
      <p className="muted small">
        {results.hits.length} results · model v{results.model.version}
      </p>
      <div className="grid" data-testid="results">
        {results.hits.map((hit) => (
          <ItemCard key={hit.cursor} item={hit.node.item} score={hit.node.score}>
            <button
              type="button"
              className="button small"
              onClick={() => useAsQuery(hit.node.item.id)}
            >
              Use as query
            </button>
          </ItemCard>
        ))}
      </div>
      {error ? <ErrorBox error={error} retry={more} /> : null}
      <div className="row" style={{ marginTop: 16, justifyContent: 'center' }}>
        {results.hasNextPage ? (
          <button type="button" className="button" onClick={more} disabled={busy}>
            {busy ? 'Loading…' : 'Load more'}
          </button>
        ) : (
          <span className="muted small">End of results</span>
        )}
      </div>
    </>
  );
}
