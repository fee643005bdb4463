// W⁺ of the authors' selected prior (prior_W.npy, 2048×10): W⁺W = I within 1e-10 (float64), and
// equal within 1e-10 to the normal-equations solution (WᵀW)X = Wᵀ solved here by Gauss–Jordan.
import { describe, expect, it } from 'vitest';
import { toFloat32 } from '../io/npy.ts';
import { Rng } from '../random.ts';
import { maxAbsDiff, readNpy } from '../test-support.ts';
import { orthonormalColumns, pseudoInverse, pseudoInverseError } from './prior-matrix.ts';

function gaussJordanNormalEquations(w: Float32Array, rows: number, cols: number): Float64Array {
  // [WᵀW | Wᵀ] reduced to [I | X] with partial pivoting.
  const width = cols + rows;
  const m = new Float64Array(cols * width);
  for (let a = 0; a < cols; a++) {
    for (let b = 0; b < cols; b++) {
      let s = 0;
      for (let i = 0; i < rows; i++) s += w[i * cols + a]! * w[i * cols + b]!;
      m[a * width + b] = s;
    }
    for (let i = 0; i < rows; i++) m[a * width + cols + i] = w[i * cols + a]!;
  }
  for (let p = 0; p < cols; p++) {
    let pivot = p;
    for (let r = p + 1; r < cols; r++) {
      if (Math.abs(m[r * width + p]!) > Math.abs(m[pivot * width + p]!)) pivot = r;
    }
    for (let k = 0; k < width; k++) {
      const t = m[p * width + k]!;
      m[p * width + k] = m[pivot * width + k]!;
      m[pivot * width + k] = t;
    }
    const d = m[p * width + p]!;
    for (let k = 0; k < width; k++) m[p * width + k]! /= d;
    for (let r = 0; r < cols; r++) {
      if (r === p) continue;
      const factor = m[r * width + p]!;
      for (let k = 0; k < width; k++) m[r * width + k]! -= factor * m[p * width + k]!;
    }
  }
  const x = new Float64Array(cols * rows);
  for (let a = 0; a < cols; a++) {
    for (let i = 0; i < rows; i++) x[a * rows + i] = m[a * width + cols + i]!;
  }
  return x;
}

describe('W⁺ of the shipped prior_W.npy', () => {
  const npy = readNpy('drcl-reference-embeddings', 'prior_W.npy');
  const w = toFloat32(npy);
  const [rows, cols] = npy.shape as [number, number];

  it('is 2048×10 and satisfies W⁺W = I (max abs error ≤ 1e-10)', () => {
    expect([rows, cols]).toEqual([2048, 10]);
    const pinv = pseudoInverse(w, rows, cols);
    expect(pseudoInverseError(pinv, w, rows, cols)).toBeLessThanOrEqual(1e-10);
  });

  it('matches the float64 normal-equations solution (max abs diff ≤ 1e-10)', () => {
    const pinv = pseudoInverse(w, rows, cols);
    expect(maxAbsDiff(pinv, gaussJordanNormalEquations(w, rows, cols))).toBeLessThanOrEqual(1e-10);
  });
});

describe('W0', () => {
  it('has orthonormal columns (WᵀW = I within 1e-12) and is reproducible from the seed', () => {
    const [d, c] = [64, 7];
    const w = orthonormalColumns(d, c, new Rng(3));
    for (let a = 0; a < c; a++) {
      for (let b = 0; b < c; b++) {
        let s = 0;
        for (let i = 0; i < d; i++) s += w[i * c + a]! * w[i * c + b]!;
        expect(Math.abs(s - (a === b ? 1 : 0))).toBeLessThanOrEqual(1e-12);
      }
    }
    expect(maxAbsDiff(w, orthonormalColumns(d, c, new Rng(3)))).toBe(0);
  });
});
