// Cosine similarity between two sets of row vectors, in plain TypeScript (float64 accumulation).

/** Row-normalised float64 copy (zero rows stay zero). */
function normalisedRows(x: Float32Array | Float64Array, dim: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r < x.length / dim; r++) {
    let s = 0;
    for (let c = 0; c < dim; c++) s += x[r * dim + c]! ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let c = 0; c < dim; c++) out[r * dim + c] = x[r * dim + c]! * inv;
  }
  return out;
}

/** nq×nd matrix of cosine similarities, row-major. */
export function cosineSimilarity(
  queries: Float32Array | Float64Array,
  database: Float32Array | Float64Array,
  dim: number,
): Float64Array {
  const q = normalisedRows(queries, dim);
  const d = normalisedRows(database, dim);
  const nq = q.length / dim;
  const nd = d.length / dim;
  const out = new Float64Array(nq * nd);
  for (let i = 0; i < nq; i++) {
    const qi = q.subarray(i * dim, (i + 1) * dim);
    for (let j = 0; j < nd; j++) {
      const off = j * dim;
      let s = 0;
      for (let c = 0; c < dim; c++) s += qi[c]! * d[off + c]!;
      out[i * nd + j] = s;
    }
  }
  return out;
}
