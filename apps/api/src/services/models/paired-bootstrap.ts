/**
 * Paired bootstrap of a mean difference: the per-query differences candidate − active are
 * resampled with replacement (same queries for both models, so the pairing is kept) and the
 * interval is the percentile interval of the resampled means. Deterministic for a seed.
 */
import { Rng } from '@concord/drcl';

export interface BootstrapOptions {
  /** Resamples (B). */
  samples: number;
  /** Two-sided confidence, e.g. 0.95. */
  confidence: number;
  seed: number;
}

export interface BootstrapInterval {
  /** Mean of the observed differences. */
  mean: number;
  low: number;
  high: number;
  /** Pairs used (pairs where either value is NaN are left out). */
  pairs: number;
}

/** `candidate[i]` and `active[i]` are the two models' scores of the same query i. */
export function pairedBootstrap(
  candidate: ArrayLike<number>,
  active: ArrayLike<number>,
  options: BootstrapOptions,
): BootstrapInterval {
  if (candidate.length !== active.length) throw new Error('paired arrays differ in length');
  const diffs: number[] = [];
  for (let i = 0; i < candidate.length; i++) {
    const d = candidate[i]! - active[i]!;
    if (!Number.isNaN(d)) diffs.push(d);
  }
  const n = diffs.length;
  if (n === 0) throw new Error('no pairs to bootstrap');
  const rng = new Rng(options.seed);
  const means = new Float64Array(options.samples);
  for (let b = 0; b < options.samples; b++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += diffs[Math.floor(rng.next() * n)]!;
    means[b] = sum / n;
  }
  means.sort();
  const alpha = 1 - options.confidence;
  return {
    mean: diffs.reduce((s, d) => s + d, 0) / n,
    low: quantile(means, alpha / 2),
    high: quantile(means, 1 - alpha / 2),
    pairs: n,
  };
}

/** Linear interpolation between order statistics (type 7) of a sorted array. */
export function quantile(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}
