// Prior candidates (per modality, or per site×modality pair with enough items) and the choice of
// the prior: the candidate with the highest best quality score; its last-epoch W_k (reference) or
// best-epoch W_k (intended), with W⁺ computed once in float64 and checked.
import type { DrclConfig } from '../config.ts';
import type { ModalityData } from '../data.ts';
import { pseudoInverse, pseudoInverseError } from '../linalg/prior-matrix.ts';
import type { PriorCandidate } from './spl.ts';
import type { PriorResult, SplCandidateResult } from './results.ts';

export function buildPriorCandidates(
  modalities: ModalityData[],
  numClasses: number,
  config: DrclConfig,
): PriorCandidate[] {
  const out: PriorCandidate[] = [];
  for (const modality of modalities) {
    const count = modality.train.labels.length / numClasses;
    const siteIds = modality.train.siteIds;
    if (config.priorCandidates === 'modality' || !siteIds) {
      out.push({ id: modality.name, modality, site: null, rows: range(count) });
      continue;
    }
    const bySite = new Map<number, number[]>();
    siteIds.forEach((s, i) => bySite.set(s, [...(bySite.get(s) ?? []), i]));
    for (const [site, rows] of [...bySite].sort((a, b) => a[0] - b[0])) {
      if (rows.length < config.minSiteItems) continue;
      out.push({ id: `${modality.name}@site${site}`, modality, site, rows: Int32Array.from(rows) });
    }
  }
  if (out.length === 0) {
    throw new Error(
      `no prior candidate: no site×modality pair has ${config.minSiteItems} training items (minSiteItems)`,
    );
  }
  return out;
}

export function selectPrior(
  results: SplCandidateResult[],
  config: DrclConfig,
  numClasses: number,
): PriorResult {
  let chosen: SplCandidateResult | null = null;
  for (const r of results) if (!chosen || r.bestScore > chosen.bestScore) chosen = r;
  if (!chosen) throw new Error('no SPL candidate was trained');
  const best = config.priorSelection === 'best-epoch';
  const w = best && chosen.bestW ? chosen.bestW : chosen.lastW;
  const pinv = pseudoInverse(w, config.embeddingDim, numClasses);
  const pinvError = pseudoInverseError(pinv, w, config.embeddingDim, numClasses);
  if (!(pinvError <= config.pinvTolerance)) {
    throw new Error(`prior W is ill-conditioned: max|W⁺W − I| = ${pinvError}`);
  }
  return {
    candidate: chosen.id,
    modality: chosen.modality,
    site: chosen.site,
    selection: config.priorSelection,
    epoch: best ? chosen.bestEpoch : chosen.scores.length - 1,
    score: best ? chosen.bestScore : chosen.lastScore,
    w,
    pinv,
    pinvError,
  };
}

function range(n: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}
