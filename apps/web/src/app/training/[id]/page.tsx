'use client';
import Link from 'next/link';
import { use, useState } from 'react';
import {
  RunCharts,
  RunConfig,
  RunHeatMap,
  RunLogs,
  RunProgress,
} from '../../../components/run-view.tsx';
import { Empty, QueryView } from '../../../components/states.tsx';
import { CancelTrainingRunDocument, TrainingRunDocument } from '../../../generated/graphql.ts';
import { errorMessage, execute } from '../../../lib/client.ts';
import { hasRole, useSession } from '../../../lib/session.tsx';
import { useQuery } from '../../../lib/use-query.ts';

const FINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

export default function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = use(params);
  const { state } = useSession();
  const [live, setLive] = useState(true);
  // Polls every 2 s until the run is final (the API also offers a graphql-ws subscription, but
  // the dashboard reaches the API through its own HTTP route).
  const run = useQuery(TrainingRunDocument, { id }, { pollMs: live ? 2000 : null });
  const current = run.data?.trainingRun;
  if (current && FINAL.has(current.status) && live) setLive(false);
  const [cancelError, setCancelError] = useState<string | null>(null);

  async function cancel() {
    setCancelError(null);
    try {
      const { cancelTrainingRun } = await execute(CancelTrainingRunDocument, { id });
      if (cancelTrainingRun.errors.length > 0) {
        setCancelError(cancelTrainingRun.errors.map((e) => e.message).join(' '));
      }
      setLive(true);
      run.refetch();
    } catch (e) {
      setCancelError(errorMessage(e));
    }
  }

  return (
    <QueryView state={run}>
      {({ trainingRun: r }) =>
        !r ? (
          <Empty title="Run not found">
            It may have been deleted with its dataset, or the link is wrong.
          </Empty>
        ) : (
          <>
            <div className="page-head">
              <div>
                <h1>
                  Run <code>{r.id.slice(0, 8)}</code>
                </h1>
                <div className="muted small">
                  {r.dataset.name} · queued {new Date(r.queuedAt).toLocaleString()} · attempt{' '}
                  {r.attempts}
                  {r.model ? (
                    <>
                      {' '}
                      · model <Link href="/models">v{r.model.version}</Link> (
                      {r.model.status.toLowerCase()}
                      {r.model.meanMap != null ? `, mAP ${r.model.meanMap.toFixed(3)}` : ''})
                    </>
                  ) : null}
                </div>
              </div>
              <div className="row">
                <Link className="button ghost" href="/training">
                  All runs
                </Link>
                {hasRole(state, 'EDITOR') && !FINAL.has(r.status) ? (
                  <button type="button" className="button danger" onClick={() => void cancel()}>
                    Cancel run
                  </button>
                ) : null}
              </div>
            </div>
            {cancelError ? <p className="field-error">{cancelError}</p> : null}
            <section className="panel">
              <RunProgress run={r} />
            </section>
            <RunCharts run={r} />
            <div className="two" style={{ marginTop: 16 }}>
              <section className="panel">
                <h2>Prior quality (sites × modalities)</h2>
                <RunHeatMap run={r} />
              </section>
              <section className="panel">
                <h2>Logs</h2>
                <RunLogs run={r} />
              </section>
            </div>
            <section className="panel">
              <h2>Settings</h2>
              <RunConfig run={r} />
            </section>
          </>
        )
      }
    </QueryView>
  );
}
