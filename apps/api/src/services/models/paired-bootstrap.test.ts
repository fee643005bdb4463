import { describe, expect, it } from 'vitest';
import { pairedBootstrap, quantile } from './paired-bootstrap.ts';

const OPTIONS = { samples: 2000, confidence: 0.95, seed: 18 };

describe('pairedBootstrap', () => {
  it('collapses to the difference when every pair differs by the same amount', () => {
    // Candidate AP = active AP + 0.125 on each of 40 queries: every resample's mean is 0.125.
    const active = Array.from({ length: 40 }, (_, i) => (i % 8) / 10);
    const candidate = active.map((a) => a + 0.125);
    const ci = pairedBootstrap(candidate, active, OPTIONS);
    expect(ci.pairs).toBe(40);
    expect(ci.mean).toBeCloseTo(0.125, 12);
    expect(ci.low).toBeCloseTo(0.125, 12);
    expect(ci.high).toBeCloseTo(0.125, 12);
  });

  it('spans the extremes of two differences 0 and 1', () => {
    // n = 2: a resample's mean is 0 (p = 1/4), 0.5 (p = 1/2) or 1 (p = 1/4), so the 2.5 % and
    // 97.5 % quantiles of 2,000 resamples are 0 and 1 (each tail holds ~500 values, far past 50).
    const ci = pairedBootstrap([0, 1], [0, 0], OPTIONS);
    expect(ci.mean).toBeCloseTo(0.5, 12);
    expect(ci.low).toBeCloseTo(0, 12);
    expect(ci.high).toBeCloseTo(1, 12);
    const narrow = pairedBootstrap([0, 1], [0, 0], { ...OPTIONS, confidence: 0.2 });
    // The middle 20 % lies inside the ~50 % mass at 0.5.
    expect(narrow.low).toBeCloseTo(0.5, 12);
    expect(narrow.high).toBeCloseTo(0.5, 12);
  });

  it('is deterministic for a seed and leaves NaN pairs out', () => {
    const a = [0.2, 0.9, NaN, 0.4, 0.1, 0.7];
    const b = [0.3, 0.5, 0.6, 0.4, 0.3, 0.2];
    const first = pairedBootstrap(a, b, OPTIONS);
    expect(pairedBootstrap(a, b, OPTIONS)).toEqual(first);
    expect(first.pairs).toBe(5);
    // (−0.1 + 0.4 + 0 − 0.2 + 0.5) / 5 = 0.12
    expect(first.mean).toBeCloseTo(0.12, 12);
    expect(first.low).toBeLessThan(first.mean);
    expect(first.high).toBeGreaterThan(first.mean);
  });

  it('interpolates quantiles between order statistics', () => {
    const sorted = Float64Array.from([0, 10, 20, 30, 40]);
    // h = 4 · 0.1 = 0.4 → 0 + 0.4 · 10
    expect(quantile(sorted, 0.1)).toBeCloseTo(4, 12);
    expect(quantile(sorted, 1)).toBe(40);
  });
});
