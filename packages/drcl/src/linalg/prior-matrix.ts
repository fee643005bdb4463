// Float64 linear algebra for the prior W (D×C, row-major): the orthonormal initial W0 and the
// Moore–Penrose inverse W⁺ = (WᵀW)⁻¹Wᵀ. C is small (classes), so plain loops are enough.
import type { Rng } from '../random.ts';

/**
 * W0: a D×C matrix with orthonormal columns — QR of a Gaussian matrix (modified Gram–Schmidt,
 * applied twice for stability), sign-corrected so that diag(R) > 0 as in the reference.
 */
export function orthonormalColumns(rows: number, cols: number, rng: Rng): Float64Array {
  if (cols > rows) throw new RangeError(`cannot have ${cols} orthonormal columns in ${rows}-d`);
  const a = new Float64Array(rows * cols);
  for (let i = 0; i < a.length; i++) a[i] = rng.normal();
  for (let j = 0; j < cols; j++) {
    // Projection coefficients of the original column j give diag(R) (sign correction).
    let rjj = 0;
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        let dot = 0;
        for (let i = 0; i < rows; i++) dot += a[i * cols + k]! * a[i * cols + j]!;
        for (let i = 0; i < rows; i++) a[i * cols + j]! -= dot * a[i * cols + k]!;
      }
    }
    let norm = 0;
    for (let i = 0; i < rows; i++) norm += a[i * cols + j]! ** 2;
    rjj = Math.sqrt(norm);
    if (rjj === 0) throw new Error('degenerate Gaussian draw');
    for (let i = 0; i < rows; i++) a[i * cols + j]! /= rjj;
  }
  return a;
}

/** Solves the C×C symmetric positive definite system G·X = B (B is C×M) by Cholesky. */
function choleskySolve(g: Float64Array, c: number, b: Float64Array, m: number): Float64Array {
  const l = new Float64Array(c * c);
  for (let i = 0; i < c; i++) {
    for (let j = 0; j <= i; j++) {
      let s = g[i * c + j]!;
      for (let k = 0; k < j; k++) s -= l[i * c + k]! * l[j * c + k]!;
      if (i === j) {
        if (!(s > 0)) throw new Error('WᵀW is not positive definite: W lacks full column rank');
        l[i * c + i] = Math.sqrt(s);
      } else {
        l[i * c + j] = s / l[j * c + j]!;
      }
    }
  }
  const x = Float64Array.from(b);
  for (let col = 0; col < m; col++) {
    for (let i = 0; i < c; i++) {
      let s = x[i * m + col]!;
      for (let k = 0; k < i; k++) s -= l[i * c + k]! * x[k * m + col]!;
      x[i * m + col] = s / l[i * c + i]!;
    }
    for (let i = c - 1; i >= 0; i--) {
      let s = x[i * m + col]!;
      for (let k = i + 1; k < c; k++) s -= l[k * c + i]! * x[k * m + col]!;
      x[i * m + col] = s / l[i * c + i]!;
    }
  }
  return x;
}

/** W⁺ = (WᵀW)⁻¹Wᵀ for a D×C row-major W of full column rank; returns C×D row-major. */
export function pseudoInverse(w: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const g = new Float64Array(cols * cols);
  for (let i = 0; i < rows; i++) {
    for (let a = 0; a < cols; a++) {
      const wa = w[i * cols + a]!;
      for (let b = 0; b < cols; b++) g[a * cols + b]! += wa * w[i * cols + b]!;
    }
  }
  const wt = new Float64Array(cols * rows);
  for (let i = 0; i < rows; i++) for (let a = 0; a < cols; a++) wt[a * rows + i] = w[i * cols + a]!;
  return choleskySolve(g, cols, wt, rows);
}

/** max |W⁺W − I| — the reversibility check of MRR. */
export function pseudoInverseError(
  pinv: ArrayLike<number>,
  w: ArrayLike<number>,
  rows: number,
  cols: number,
): number {
  let worst = 0;
  for (let a = 0; a < cols; a++) {
    for (let b = 0; b < cols; b++) {
      let s = 0;
      for (let i = 0; i < rows; i++) s += pinv[a * rows + i]! * w[i * cols + b]!;
      worst = Math.max(worst, Math.abs(s - (a === b ? 1 : 0)));
    }
  }
  return worst;
}
