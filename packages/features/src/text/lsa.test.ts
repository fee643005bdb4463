import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PASCAL } from '../test-paths.ts';
import { fitLsa, LsaModel } from './lsa.ts';

interface PascalRecord {
  category: string;
  captions: string[];
}

const pascal = Object.values(
  JSON.parse(readFileSync(join(PASCAL, 'pascal_sentences.json'), 'utf8')) as Record<
    string,
    PascalRecord
  >,
);

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

describe('LSA on the Pascal Sentences captions', () => {
  it('puts same-class captions closer than different-class captions on average', async () => {
    const texts = pascal.flatMap((r) => r.captions);
    const labels = pascal.flatMap((r) => r.captions.map(() => r.category));
    expect(texts.length).toBeGreaterThan(4900); // 5 captions per image, a few have 4
    // Fitted on the captions of each image as one document and 100 dims (the default is 300),
    // which keeps the fit under a CPU second on a shared machine; compared caption by caption.
    const model = fitLsa(
      pascal.map((r) => r.captions.join(' ')),
      { dims: 100 },
    );
    expect(model.dims).toBe(100);
    const v = await model.featurise(texts);
    // Mean pairwise cosine without the O(n²) loop: vectors are unit-norm (or zero when no term
    // is in the vocabulary), so the sum of dot products over pairs i<j of a group is
    // (‖Σv‖² − Σ‖v‖²) / 2.
    const d = model.dims;
    const classSums = new Map<string, { sum: Float64Array; n: number; sqNorms: number }>();
    let totalSqNorms = 0;
    const total = new Float64Array(d);
    v.forEach((x, i) => {
      const norm2 = dot(x, x);
      expect(Math.min(Math.abs(norm2 - 1), norm2)).toBeLessThan(1e-5);
      const c = classSums.get(labels[i]!) ?? { sum: new Float64Array(d), n: 0, sqNorms: 0 };
      c.sqNorms += norm2;
      totalSqNorms += norm2;
      for (let k = 0; k < d; k++) {
        c.sum[k]! += x[k]!;
        total[k]! += x[k]!;
      }
      c.n++;
      classSums.set(labels[i]!, c);
    });
    const sq = (s: Float64Array) => s.reduce((a, x) => a + x * x, 0);
    let samePairs = 0;
    let sameSum = 0;
    for (const { sum, n, sqNorms } of classSums.values()) {
      sameSum += (sq(sum) - sqNorms) / 2;
      samePairs += (n * (n - 1)) / 2;
    }
    const n = texts.length;
    const allSum = (sq(total) - totalSqNorms) / 2;
    const allPairs = (n * (n - 1)) / 2;
    const same = sameSum / samePairs;
    const different = (allSum - sameSum) / (allPairs - samePairs);
    expect(classSums.size).toBe(20);
    expect(same).toBeGreaterThan(different);
    // Not just barely: at least twice as similar (measured ≈ 0.12 vs ≈ 0.02).
    expect(same).toBeGreaterThan(2 * different);
  });
});

describe('LSA model properties', () => {
  const corpus = pascal.slice(0, 40).map((r) => r.captions.join(' '));

  it('has orthonormal components and non-increasing singular values', () => {
    const m = fitLsa(corpus, { dims: 10 });
    const v = m.vocabulary.length;
    for (let a = 0; a < m.rank; a++)
      for (let b = a; b < m.rank; b++) {
        let s = 0;
        for (let j = 0; j < v; j++) s += m.components[a * v + j]! * m.components[b * v + j]!;
        // Tolerance: float32 storage of the components (~1e-7 relative per entry).
        expect(Math.abs(s - (a === b ? 1 : 0))).toBeLessThan(1e-5);
      }
    for (let c = 1; c < m.rank; c++)
      expect(m.singularValues[c]!).toBeLessThanOrEqual(m.singularValues[c - 1]! + 1e-9);
  });

  it('preserves the TF-IDF geometry exactly when dims ≥ the number of documents', async () => {
    // With k = n the components span the row space of X, so projection keeps each training
    // document's unit TF-IDF norm: ‖x V‖ = ‖x‖ = 1.
    const m = fitLsa(corpus, { dims: 64, l2Normalize: false });
    expect(m.rank).toBe(corpus.length);
    expect(m.dims).toBe(64);
    for (const x of await m.featurise(corpus)) {
      expect(Math.abs(Math.sqrt(dot(x, x)) - 1)).toBeLessThan(1e-4);
      // Components beyond the rank are zero padding.
      expect(x.subarray(m.rank).every((y) => y === 0)).toBe(true);
    }
  });

  it('is deterministic and round-trips through bytes, featurising queries exactly like the corpus', async () => {
    const a = fitLsa(corpus, { dims: 16 });
    const b = fitLsa(corpus, { dims: 16 });
    expect(a.version).toBe(b.version);
    const restored = LsaModel.fromBytes(a.toBytes());
    expect(restored.version).toBe(a.version);
    expect(restored.config).toEqual(a.config);
    const query = 'a jet airplane on the runway';
    const [qa] = await a.featurise([query]);
    const [qr] = await restored.featurise([query]);
    expect(Array.from(qr!)).toEqual(Array.from(qa!));
    // A different config is a different version.
    expect(fitLsa(corpus, { dims: 12 }).version).not.toBe(a.version);
  });

  it('gives a zero vector for a text with no known terms, and rejects an empty corpus', async () => {
    const m = fitLsa(corpus, { dims: 8 });
    const [v] = await m.featurise(['zzzqx']);
    expect(v!.every((x) => x === 0)).toBe(true);
    expect(() => fitLsa([])).toThrow(/zero texts/);
    expect(() => fitLsa(['the and of', 'a an'])).toThrow(/no terms/);
  });
});
