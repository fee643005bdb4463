'use client';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { Suspense } from 'react';
import { RunCharts, RunConfig, RunHeatMap, RunProgress } from '../../../components/run-view.tsx';
import { Empty, Loading, QueryView } from '../../../components/states.tsx';
import { TrainingRunDocument } from '../../../generated/graphql.ts';
import { useQuery } from '../../../lib/use-query.ts';

export default function ComparePage() {
  return (
    <Suspense fallback={<Loading />}>
      <Compare />
    </Suspense>
  );
}

function Compare() {
  const params = useSearchParams();
  const ids = [params.get('a'), params.get('b')].filter((x): x is string => !!x);
  return (
    <>
      <div className="page-head">
        <h1>Compare runs</h1>
        <Link className="button ghost" href="/training">
          All runs
        </Link>
      </div>
      {ids.length < 2 ? <p>Pick two runs in the run history.</p> : null}
      <div className="two">
        {ids.map((id) => (
          <RunColumn key={id} id={id} />
        ))}
      </div>
    </>
  );
}

function RunColumn({ id }: { id: string }) {
  const run = useQuery(TrainingRunDocument, { id });
  return (
    <div style={{ minWidth: 0 }}>
      <QueryView state={run}>
        {({ trainingRun: r }) =>
          !r ? (
            <Empty title="Run not found">
              It may have been deleted with its dataset, or the link is wrong.
            </Empty>
          ) : (
            <>
              <section className="panel">
                <h2>
                  <Link href={`/training/${r.id}`}>
                    Run <code>{r.id.slice(0, 8)}</code>
                  </Link>{' '}
                  {r.model ? (
                    <span className="muted small">
                      model v{r.model.version} · mAP {r.model.meanMap?.toFixed(3) ?? '—'}
                    </span>
                  ) : null}
                </h2>
                <RunProgress run={r} />
              </section>
              <section className="panel">
                <h3>Settings</h3>
                <RunConfig run={r} />
              </section>
              <section className="panel">
                <h3>Prior quality</h3>
                <RunHeatMap run={r} />
              </section>
              <RunCharts run={r} compact />
            </>
          )
        }
      </QueryView>
    </div>
  );
}
