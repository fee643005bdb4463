'use client';
import Link from 'next/link';
import { useState } from 'react';
import { BarSeriesChart } from '../../components/lazy-charts.tsx';
import { Empty, ErrorBox, Loading, QueryView } from '../../components/states.tsx';
import {
  ModelsDocument,
  PromoteModelDocument,
  RollbackModelDocument,
  type GateFragment,
  type ModelsQuery,
} from '../../generated/graphql.ts';
import { errorMessage, execute, GraphQLRequestError } from '../../lib/client.ts';
import { useDatasets, type DatasetSummary } from '../../lib/datasets.tsx';
import { metricRows } from '../../lib/model-metrics.ts';
import { hasRole, useSession } from '../../lib/session.tsx';
import { useQuery } from '../../lib/use-query.ts';

type Model = ModelsQuery['models']['edges'][number]['node'];
interface GateResult {
  ok: boolean;
  text: string;
  canForce: boolean;
}

export default function ModelsPage() {
  const { selected, datasets } = useDatasets();
  if (datasets.error) return <ErrorBox error={datasets.error} retry={datasets.refetch} />;
  if (!datasets.data) return <Loading />;
  if (!selected) return <Empty title="No dataset yet">Create a dataset first.</Empty>;
  return <Models dataset={selected} />;
}

function Models({ dataset }: { dataset: DatasetSummary }) {
  const { state } = useSession();
  const { datasets } = useDatasets();
  const models = useQuery(ModelsDocument, { datasetId: dataset.id, first: 50 });
  const [openId, setOpenId] = useState<string | null>(null);
  const [gate, setGate] = useState<GateResult | null>(null);
  const [busy, setBusy] = useState(false);
  const isAdmin = hasRole(state, 'ADMIN');

  async function promote(model: Model, force: boolean) {
    setBusy(true);
    setGate(null);
    try {
      const { promoteModel } = await execute(PromoteModelDocument, { modelId: model.id, force });
      if (promoteModel.errors.length > 0) {
        setGate({
          ok: false,
          text: `Gate refused v${model.version}: ${promoteModel.errors.map((e) => e.message).join(' ')}`,
          canForce: promoteModel.errors.some((e) => e.code === 'FAILED_PRECONDITION'),
        });
      } else {
        const verdict = promoteModel.model?.gate;
        const how = force
          ? ' (forced past the gate)'
          : verdict
            ? ` — gate ${VERDICT[verdict.verdict]}: ${verdict.reason}`
            : '';
        setGate({
          ok: true,
          text: `v${promoteModel.model?.version ?? model.version} is active${how}.`,
          canForce: false,
        });
      }
    } catch (e) {
      const refused = e instanceof GraphQLRequestError && e.code === 'FAILED_PRECONDITION';
      setGate({
        ok: false,
        text: refused ? `Gate refused v${model.version}: ${e.message}` : errorMessage(e),
        canForce: refused,
      });
    } finally {
      setBusy(false);
      models.refetch();
      datasets.refetch();
    }
  }

  async function rollback() {
    setBusy(true);
    setGate(null);
    try {
      const { rollbackModel } = await execute(RollbackModelDocument, { datasetId: dataset.id });
      setGate(
        rollbackModel.errors.length > 0
          ? {
              ok: false,
              text: rollbackModel.errors.map((e) => e.message).join(' '),
              canForce: false,
            }
          : { ok: true, text: `Rolled back to v${rollbackModel.model?.version}.`, canForce: false },
      );
    } catch (e) {
      setGate({ ok: false, text: errorMessage(e), canForce: false });
    } finally {
      setBusy(false);
      models.refetch();
      datasets.refetch();
    }
  }

  return (
    <>
      <div className="page-head">
        <h1>Models · {dataset.name}</h1>
        {isAdmin ? (
          <button type="button" className="button" disabled={busy} onClick={() => void rollback()}>
            Roll back to previous
          </button>
        ) : null}
      </div>
      {gate ? (
        <div
          className={`panel ${gate.ok ? '' : 'state-error'}`}
          role="status"
          data-testid="gate-result"
        >
          {gate.text}
        </div>
      ) : null}
      <QueryView
        state={models}
        isEmpty={(d) => d.models.edges.length === 0}
        empty={<Empty title="No models yet">A finished training run creates one.</Empty>}
      >
        {(d) => {
          const all = [...d.models.edges.map((e) => e.node)].sort((a, b) => b.version - a.version);
          const active = all.find((m) => m.status === 'ACTIVE');
          return (
            <>
              <section className="panel">
                <div className="table-wrap">
                  <table data-testid="models">
                    <thead>
                      <tr>
                        <th>Version</th>
                        <th>Status</th>
                        <th className="num">mean mAP</th>
                        <th className="num">vs active</th>
                        <th className="num">D</th>
                        <th className="num">Embeddings</th>
                        <th>Gate</th>
                        <th>Created</th>
                        <th />
                      </tr>
                    </thead>
                    <tbody>
                      {all.map((m) => {
                        const delta =
                          active && m.meanMap != null && active.meanMap != null && m !== active
                            ? m.meanMap - active.meanMap
                            : null;
                        return (
                          <tr key={m.id} data-testid={`model-v${m.version}`}>
                            <td>
                              <button
                                type="button"
                                className="button ghost small"
                                onClick={() => setOpenId(openId === m.id ? null : m.id)}
                              >
                                v{m.version}
                              </button>
                              {m.status === 'ACTIVE' ? (
                                <span className="badge status-active" data-testid="active-marker">
                                  ● active
                                </span>
                              ) : null}
                            </td>
                            <td>
                              <span className={`badge status-${m.status.toLowerCase()}`}>
                                {m.status.toLowerCase()}
                              </span>
                            </td>
                            <td className="num">{m.meanMap?.toFixed(3) ?? '—'}</td>
                            <td className="num">
                              {delta === null ? '—' : `${delta >= 0 ? '+' : ''}${delta.toFixed(3)}`}
                            </td>
                            <td className="num">{m.dimension}</td>
                            <td className="num">{m.embeddingCount}</td>
                            <td className="small" title={m.gate?.reason}>
                              {m.gate ? VERDICT[m.gate.verdict] : '—'}
                            </td>
                            <td className="small">{new Date(m.createdAt).toLocaleString()}</td>
                            <td>
                              {isAdmin && (m.status === 'READY' || m.status === 'RETIRED') ? (
                                <button
                                  type="button"
                                  className="button small primary"
                                  disabled={busy}
                                  onClick={() => void promote(m, false)}
                                >
                                  Promote
                                </button>
                              ) : null}
                              {isAdmin && gate?.canForce && m.status !== 'ACTIVE' ? (
                                <button
                                  type="button"
                                  className="button small danger"
                                  disabled={busy}
                                  onClick={() => void promote(m, true)}
                                >
                                  Force
                                </button>
                              ) : null}
                            </td>
                          </tr>
                        );
                      })}
                    </tbody>
                  </table>
                </div>
              </section>
              {(all.find((m) => m.id === openId) ?? active ?? all[0]) ? (
                <ModelMetrics
                  model={(all.find((m) => m.id === openId) ?? active ?? all[0])!}
                  dataset={dataset}
                />
              ) : null}
            </>
          );
        }}
      </QueryView>
    </>
  );
}

function ModelMetrics({ model, dataset }: { model: Model; dataset: DatasetSummary }) {
  const rows = metricRows(model.metrics, dataset.labels, dataset.sites);
  const keys = rows.directions.map((d) => ({ key: d }));
  return (
    <section>
      <div className="page-head">
        <h2>
          v{model.version} metrics{' '}
          {model.trainingRun ? (
            <Link className="small" href={`/training/${model.trainingRun.id}`}>
              training run
            </Link>
          ) : null}
        </h2>
      </div>
      {model.gate ? <GateFigures gate={model.gate} /> : null}
      {rows.atTen.length > 0 ? (
        <section className="panel">
          <div className="table-wrap">
            <table data-testid="model-at-ten">
              <thead>
                <tr>
                  <th>Direction</th>
                  <th className="num">P@10</th>
                  <th className="num">R@10</th>
                </tr>
              </thead>
              <tbody>
                {rows.atTen.map((r) => (
                  <tr key={r.name}>
                    <td>{r.name}</td>
                    <td className="num">{r.precision.toFixed(3)}</td>
                    <td className="num">{r.recall.toFixed(3)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
      {rows.directions.length === 0 ? (
        <Empty title="No evaluation stored">This model has no held-out metrics.</Empty>
      ) : (
        <div className="charts">
          <BarSeriesChart
            title="mAP per direction"
            rows={rows.byDirection}
            keys={[{ key: 'mAP' }]}
            domain={[0, 1]}
          />
          <BarSeriesChart
            title="AP per class"
            rows={rows.byClass}
            keys={keys}
            domain={[0, 1]}
            categories="rows"
          />
          <BarSeriesChart
            title="AP per site"
            rows={rows.bySite}
            keys={keys}
            domain={[0, 1]}
            categories="rows"
          />
        </div>
      )}
    </section>
  );
}

const VERDICT: Record<GateFragment['verdict'], string> = {
  PROMOTE: 'passed',
  REFUSE: 'refused',
  NOT_JUDGED: 'not judged',
  FIRST_MODEL: 'first model',
  FORCED: 'forced',
};

const signed = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(4)}`;

/** The gate's last verdict on this model: both mAPs on the same items and the interval. */
function GateFigures({ gate }: { gate: GateFragment }) {
  const items = gate.itemsPerModality.map((m) => `${m.count} ${m.modality}`).join(', ');
  return (
    <section className="panel" data-testid="model-gate">
      <h3>Promotion gate: {VERDICT[gate.verdict]}</h3>
      {gate.candidateMap != null && gate.activeMap != null && gate.difference != null ? (
        <dl className="kv">
          <dt>mAP on the same held-out items</dt>
          <dd>
            {gate.candidateMap.toFixed(4)} vs {gate.activeMap.toFixed(4)} (active v
            {gate.activeVersion})
          </dd>
          <dt>Difference</dt>
          <dd>
            {signed(gate.difference)}
            {gate.ciLow != null && gate.ciHigh != null
              ? `, ${Math.round(gate.confidence * 100)} % interval [${signed(gate.ciLow)}, ${signed(gate.ciHigh)}] over ${gate.queries} queries`
              : ''}
          </dd>
          <dt>Held-out items</dt>
          <dd>
            {items || 'none'} (at least {gate.minTestItems} per modality to judge; margin{' '}
            {gate.margin})
          </dd>
        </dl>
      ) : null}
      <p className="small">{gate.reason}</p>
    </section>
  );
}
