import { Matrix, SingularValueDecomposition } from 'ml-matrix';

/** Compressed sparse rows: row i's entries are `indices/data[indptr[i] .. indptr[i+1])`. */
export interface Csr {
  rows: number;
  cols: number;
  indptr: Int32Array;
  indices: Int32Array;
  data: Float64Array;
}

/** Dense row-major matrix as a flat Float64Array. */
export interface Dense {
  rows: number;
  cols: number;
  data: Float64Array;
}

/** Deterministic PRNG (mulberry32) so a fit with the same seed gives the same model. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function gaussian(rows: number, cols: number, seed: number): Dense {
  const rand = mulberry32(seed);
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i += 2) {
    // Box–Muller: two independent standard normals per pair of uniforms.
    const u = Math.max(rand(), 1e-300);
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    data[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < data.length) data[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return { rows, cols, data };
}

/** X · D for sparse X (n×V) and dense D (V×l). */
export function csrTimesDense(x: Csr, d: Dense): Dense {
  const l = d.cols;
  const out = new Float64Array(x.rows * l);
  for (let i = 0; i < x.rows; i++) {
    const o = i * l;
    for (let p = x.indptr[i]!; p < x.indptr[i + 1]!; p++) {
      const v = x.data[p]!;
      const r = x.indices[p]! * l;
      for (let c = 0; c < l; c++) out[o + c]! += v * d.data[r + c]!;
    }
  }
  return { rows: x.rows, cols: l, data: out };
}

/** Xᵀ · D for sparse X (n×V) and dense D (n×l). */
export function csrTransposeTimesDense(x: Csr, d: Dense): Dense {
  const l = d.cols;
  const out = new Float64Array(x.cols * l);
  for (let i = 0; i < x.rows; i++) {
    const r = i * l;
    for (let p = x.indptr[i]!; p < x.indptr[i + 1]!; p++) {
      const v = x.data[p]!;
      const o = x.indices[p]! * l;
      for (let c = 0; c < l; c++) out[o + c]! += v * d.data[r + c]!;
    }
  }
  return { rows: x.cols, cols: l, data: out };
}

/**
 * Orthonormal basis of the column space of `a` (modified Gram–Schmidt, `passes` times; two for
 * stability). Columns that are numerically dependent become zero.
 */
export function orthonormalColumns(a: Dense, passes = 2): Dense {
  const { rows, cols } = a;
  // Work column-major for contiguous column access.
  const q = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++)
    for (let c = 0; c < cols; c++) q[c * rows + i] = a.data[i * cols + c]!;
  for (let pass = 0; pass < passes; pass++) {
    for (let c = 0; c < cols; c++) {
      const cc = c * rows;
      for (let p = 0; p < c; p++) {
        const pp = p * rows;
        let dot = 0;
        for (let i = 0; i < rows; i++) dot += q[pp + i]! * q[cc + i]!;
        for (let i = 0; i < rows; i++) q[cc + i]! -= dot * q[pp + i]!;
      }
      let norm = 0;
      for (let i = 0; i < rows; i++) norm += q[cc + i]! * q[cc + i]!;
      norm = Math.sqrt(norm);
      const scale = norm > 1e-10 ? 1 / norm : 0;
      for (let i = 0; i < rows; i++) q[cc + i]! *= scale;
    }
  }
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++)
    for (let c = 0; c < cols; c++) out[i * cols + c] = q[c * rows + i]!;
  return { rows, cols, data: out };
}

export interface TruncatedSvd {
  /** k right singular vectors of X as rows of a k×V row-major array. */
  components: Float64Array;
  singularValues: Float64Array;
  k: number;
}

/**
 * Randomized truncated SVD of a sparse matrix (Halko, Martinsson & Tropp 2011, Alg. 4.4 with
 * `powerIterations` subspace iterations), finishing with an exact SVD (ml-matrix) of the small
 * projected matrix. Component signs are fixed so that each component's largest-magnitude entry is
 * positive, which makes the result independent of the SVD routine's sign choices.
 */
export function randomizedSvd(
  x: Csr,
  k: number,
  args: { oversamples: number; powerIterations: number; seed: number },
): TruncatedSvd {
  const l = Math.min(k + args.oversamples, x.rows, x.cols);
  let q = orthonormalColumns(
    csrTimesDense(x, gaussian(x.cols, l, args.seed)),
    args.powerIterations === 0 ? 2 : 1,
  );
  for (let it = 0; it < args.powerIterations; it++) {
    // One Gram–Schmidt pass suffices between iterations; the final basis gets two.
    const z = orthonormalColumns(csrTransposeTimesDense(x, q), 1);
    q = orthonormalColumns(csrTimesDense(x, z), it === args.powerIterations - 1 ? 2 : 1);
  }
  // Bᵀ = Xᵀ Q (V×l); its left singular vectors are X's right singular vectors.
  const bt = csrTransposeTimesDense(x, q);
  const rowsOf = (d: Dense) =>
    Array.from({ length: d.rows }, (_, i) =>
      Array.from(d.data.subarray(i * d.cols, (i + 1) * d.cols)),
    );
  const svd = new SingularValueDecomposition(new Matrix(rowsOf(bt)), {
    computeLeftSingularVectors: true,
    computeRightSingularVectors: false,
    autoTranspose: true,
  });
  const u = svd.leftSingularVectors; // V×l
  const s = svd.diagonal;
  const kk = Math.min(k, s.length);
  const components = new Float64Array(kk * x.cols);
  const singularValues = new Float64Array(kk);
  for (let c = 0; c < kk; c++) {
    singularValues[c] = s[c] ?? 0;
    let best = 0;
    for (let j = 0; j < x.cols; j++) {
      const v = u.get(j, c);
      if (Math.abs(v) > Math.abs(best)) best = v;
    }
    const sign = best < 0 ? -1 : 1;
    for (let j = 0; j < x.cols; j++) components[c * x.cols + j] = sign * u.get(j, c);
  }
  return { components, singularValues, k: kk };
}
