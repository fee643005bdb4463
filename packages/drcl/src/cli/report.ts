// Plain-text reports for the CLI.
import type { DirectionReport } from '../eval/retrieval.ts';
import type { DrclModel } from '../model.ts';

export function formatModelReport(model: DrclModel): string {
  const lines: string[] = [];
  const c = model.config;
  lines.push(
    `networks: ${Object.entries(model.networks)
      .map(([m, n]) => `${m} ${n.inputDim}→${[...c.hiddenSizes, c.embeddingDim].join('→')}`)
      .join(', ')}`,
  );
  lines.push('SPL quality scores (best epoch; all items; per site):');
  for (const s of model.report.spl) {
    const sites = Object.entries(s.scoreBySite)
      .map(([k, v]) => `site ${k} ${v.toFixed(4)}`)
      .join(', ');
    lines.push(
      `  ${s.id.padEnd(16)} best ${s.bestScore.toFixed(4)} @${s.bestEpoch}  last ${s.lastScore.toFixed(4)}  all ${s.scoreAll.toFixed(4)}${sites ? `  ${sites}` : ''}`,
    );
  }
  const p = model.prior;
  lines.push(
    `prior: ${p.candidate} (${p.selection}, epoch ${p.epoch}, S=${p.score.toFixed(4)}), max|W⁺W−I| = ${p.pinvError.toExponential(2)}`,
  );
  lines.push('RSC (model selection by validation loss):');
  for (const r of model.report.rsc) {
    const val =
      r.bestValidationLoss === null ? 'no validation' : `val ${r.bestValidationLoss.toFixed(4)}`;
    lines.push(
      `  ${r.modality.padEnd(16)} lr ${r.learningRate}  best epoch ${r.bestEpoch}  ${val}`,
    );
  }
  return lines.join('\n');
}

export function formatRetrievalReport(report: DirectionReport, label: string): string {
  const lines = [`${label}:`];
  for (const [direction, m] of Object.entries(report.directions)) {
    lines.push(
      `  ${direction.padEnd(16)} mAP ${m.map.toFixed(4)}  P@${m.k} ${m.precisionAtK.toFixed(4)}  R@${m.k} ${m.recallAtK.toFixed(4)}  (${m.queries} queries${m.skipped ? `, ${m.skipped} skipped` : ''})`,
    );
  }
  lines.push(`  mean mAP ${report.meanMap.toFixed(4)}`);
  return lines.join('\n');
}
