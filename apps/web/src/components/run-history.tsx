'use client';
/** Runs of a dataset, newest first; tick two to compare them side by side. */
import Link from 'next/link';
import { useState } from 'react';
import { TrainingRunsDocument } from '../generated/graphql.ts';
import { useQuery } from '../lib/use-query.ts';
import { Empty, QueryView } from './states.tsx';

export function RunHistory({ datasetId }: { datasetId: string }) {
  const runs = useQuery(TrainingRunsDocument, { datasetId, first: 50 }, { pollMs: 5000 });
  const [picked, setPicked] = useState<string[]>([]);
  const toggle = (id: string) =>
    setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id].slice(-2)));

  return (
    <section className="panel">
      <div className="page-head">
        <h2>Run history</h2>
        {picked.length === 2 ? (
          <Link className="button" href={`/training/compare?a=${picked[0]}&b=${picked[1]}`}>
            Compare the two selected
          </Link>
        ) : (
          <span className="muted small">Select two runs to compare</span>
        )}
      </div>
      <QueryView
        state={runs}
        isEmpty={(d) => d.trainingRuns.edges.length === 0}
        empty={<Empty title="No runs yet">Start the first run above.</Empty>}
      >
        {(d) => (
          <div className="table-wrap">
            <table data-testid="run-history">
              <thead>
                <tr>
                  <th />
                  <th>Run</th>
                  <th>Status</th>
                  <th>Progress</th>
                  <th>Model</th>
                  <th className="num">mAP</th>
                  <th>Queued</th>
                </tr>
              </thead>
              <tbody>
                {[...d.trainingRuns.edges].reverse().map(({ node: run }) => (
                  <tr key={run.id}>
                    <td>
                      <input
                        type="checkbox"
                        aria-label={`Compare run ${run.id.slice(0, 8)}`}
                        checked={picked.includes(run.id)}
                        onChange={() => toggle(run.id)}
                      />
                    </td>
                    <td>
                      <Link href={`/training/${run.id}`}>
                        <code>{run.id.slice(0, 8)}</code>
                      </Link>
                    </td>
                    <td>
                      <span className={`badge status-${run.status.toLowerCase()}`}>
                        {run.status.toLowerCase()}
                      </span>
                    </td>
                    <td style={{ minWidth: 100 }}>
                      <div className="progress">
                        <div style={{ width: `${Math.round(run.progress * 100)}%` }} />
                      </div>
                    </td>
                    <td>{run.model ? `v${run.model.version}` : '—'}</td>
                    <td className="num">{run.model?.meanMap?.toFixed(3) ?? '—'}</td>
                    <td className="small">{new Date(run.queuedAt).toLocaleString()}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryView>
    </section>
  );
}
