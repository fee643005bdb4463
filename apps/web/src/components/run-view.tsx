'use client';
/** A training run: progress, loss and quality charts, the prior-quality heat map, logs. */
import type { TrainingRunQuery } from '../generated/graphql.ts';
import {
  configEntries,
  LOSS_TERMS,
  logLines,
  priorMatrix,
  rscSeries,
  splSeries,
} from '../lib/training.ts';
import { LineSeriesChart } from './lazy-charts.tsx';
import { PriorHeatMap } from './heat-map.tsx';

export type Run = NonNullable<TrainingRunQuery['trainingRun']>;

export function RunProgress({ run }: { run: Run }) {
  const pct = Math.round(run.progress * 100);
  return (
    <div data-testid="run-progress" data-status={run.status}>
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <span>
          <span className={`badge status-${run.status.toLowerCase()}`} data-testid="run-status">
            {run.status.toLowerCase()}
          </span>{' '}
          {run.stage ? <span className="muted small">stage {run.stage}</span> : null}{' '}
          {run.epoch ? <span className="muted small">· epoch {run.epoch}</span> : null}
        </span>
        <span className="score">{pct}%</span>
      </div>
      <div
        className="progress"
        role="progressbar"
        aria-valuenow={pct}
        aria-valuemin={0}
        aria-valuemax={100}
        style={{ marginTop: 6 }}
      >
        <div style={{ width: `${pct}%` }} />
      </div>
      {run.error ? <p className="field-error">{run.error}</p> : null}
    </div>
  );
}

export function RunCharts({ run, compact = false }: { run: Run; compact?: boolean }) {
  const rsc = rscSeries(run.epochs);
  const spl = splSeries(run.epochs);
  const height = compact ? 180 : 220;
  return (
    <div className="charts">
      {[...rsc.entries()].map(([modality, rows]) => (
        <LineSeriesChart
          key={`rsc-${modality}`}
          title={`RSC losses · ${modality}`}
          rows={rows}
          height={height}
          keys={[
            ...LOSS_TERMS.map((t) => ({ key: t })),
            { key: 'validation_total', name: 'validation loss', dashed: true },
          ]}
        />
      ))}
      {[...spl.entries()].map(([candidate, rows]) => (
        <LineSeriesChart
          key={`spl-${candidate}`}
          title={`Prior candidate · ${candidate}`}
          rows={rows}
          height={height}
          keys={[
            { key: 'trainLoss', name: 'train loss (GCE)' },
            { key: 'qualityScore', name: 'quality S', dashed: true },
          ]}
        />
      ))}
      {rsc.size === 0 && spl.size === 0 ? (
        <p className="muted small">Charts appear with the first finished epoch.</p>
      ) : null}
    </div>
  );
}

export function RunHeatMap({ run }: { run: Run }) {
  const matrix = priorMatrix(
    run.epochs,
    run.dataset.sites.map((s) => s.name),
    run.dataset.modalities,
    run.selectedPrior,
  );
  return <PriorHeatMap matrix={matrix} />;
}

export function RunLogs({ run }: { run: Run }) {
  const lines = logLines(run.logs);
  return (
    <pre className="logs" data-testid="run-logs">
      {lines.length === 0
        ? 'No log lines yet.'
        : lines.map((l) => `${l.at.slice(11, 19)} ${l.level.padEnd(5)} ${l.message}`).join('\n')}
    </pre>
  );
}

export function RunConfig({ run }: { run: Run }) {
  const entries = configEntries(run.config);
  return (
    <dl className="kv">
      {entries.length === 0 ? <dd className="muted">defaults</dd> : null}
      {entries.map(([k, v]) => (
        <div key={k} style={{ display: 'contents' }}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
