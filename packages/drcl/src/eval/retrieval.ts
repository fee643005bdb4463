// Retrieval metrics of the reference: rank the database by cosine similarity for every query;
// single-label relevance = same class, multi-label = at least one shared label.
// AP@K = (1/r)·Σ_{k≤K, rel_k} P@k with r the relevant items inside the top K ('hits-in-top-k',
// the reference; AP = 0 when r = 0 for single-label, the query is skipped for multi-label), or with
// r = min(K, relevant items in the database) ('relevant-in-database'). K = database size = mAP@all.
import { cosineSimilarity } from './similarity.ts';

export type ApNormalisation = 'hits-in-top-k' | 'relevant-in-database';

export interface RetrievalSet {
  /** count×dim, row-major. */
  embeddings: Float32Array | Float64Array;
  dim: number;
  /** count×numClasses multi-hot (one-hot for single-label data). */
  labels: Float32Array;
  numClasses: number;
  siteIds?: Int32Array;
}

export interface RetrievalOptions {
  /** Cut-off K (default: database size → mAP@all). */
  k?: number;
  ap?: ApNormalisation;
  /** Default: multi-label when any item has more than one label. */
  multiLabel?: boolean;
}

export interface RetrievalMetrics {
  k: number;
  multiLabel: boolean;
  ap: ApNormalisation;
  /** Mean AP over counted queries. */
  map: number;
  precisionAtK: number;
  recallAtK: number;
  queries: number;
  skipped: number;
  /** mAP over the queries of each class (multi-label: every class a query carries). */
  perClass: Record<string, number>;
  /** mAP over the queries of each site (when the query set has site ids). */
  perSite: Record<string, number>;
  /** AP of every query (NaN for skipped ones). */
  apPerQuery: Float64Array;
}

export function isMultiLabel(labels: Float32Array, numClasses: number): boolean {
  for (let i = 0; i < labels.length; i += numClasses) {
    let s = 0;
    for (let c = 0; c < numClasses; c++) s += labels[i + c]! > 0 ? 1 : 0;
    if (s > 1) return true;
  }
  return false;
}

export function evaluateRetrieval(
  query: RetrievalSet,
  database: RetrievalSet,
  options: RetrievalOptions = {},
): RetrievalMetrics {
  if (query.dim !== database.dim) throw new Error('query and database dims differ');
  const C = query.numClasses;
  const nq = query.labels.length / C;
  const nd = database.labels.length / C;
  const k = Math.min(options.k ?? nd, nd);
  const ap = options.ap ?? 'hits-in-top-k';
  const multiLabel =
    options.multiLabel ?? (isMultiLabel(query.labels, C) || isMultiLabel(database.labels, C));
  const sim = cosineSimilarity(query.embeddings, database.embeddings, query.dim);
  const apPerQuery = new Float64Array(nq).fill(NaN);
  const relevant = new Uint8Array(nd);
  const order = new Int32Array(nd);
  let apSum = 0;
  let pSum = 0;
  let rSum = 0;
  let counted = 0;
  let recallCounted = 0;
  for (let i = 0; i < nq; i++) {
    let totalRelevant = 0;
    for (let j = 0; j < nd; j++) {
      let rel = 0;
      for (let c = 0; c < C; c++) {
        if (query.labels[i * C + c]! > 0 && database.labels[j * C + c]! > 0) {
          rel = 1;
          break;
        }
      }
      relevant[j] = rel;
      totalRelevant += rel;
      order[j] = j;
    }
    const row = sim.subarray(i * nd, (i + 1) * nd);
    order.sort((a, b) => row[b]! - row[a]! || a - b);
    let hits = 0;
    let precisionSum = 0;
    for (let rank = 0; rank < k; rank++) {
      if (relevant[order[rank]!]) {
        hits += 1;
        precisionSum += hits / (rank + 1);
      }
    }
    const denominator = ap === 'hits-in-top-k' ? hits : Math.min(k, totalRelevant);
    if (denominator === 0 && multiLabel) continue; // the reference skips such queries
    const value = denominator === 0 ? 0 : precisionSum / denominator;
    apPerQuery[i] = value;
    apSum += value;
    pSum += hits / k;
    if (totalRelevant > 0) {
      rSum += hits / totalRelevant;
      recallCounted += 1;
    }
    counted += 1;
  }
  return {
    k,
    multiLabel,
    ap,
    map: counted > 0 ? apSum / counted : 0,
    precisionAtK: counted > 0 ? pSum / counted : 0,
    recallAtK: recallCounted > 0 ? rSum / recallCounted : 0,
    queries: counted,
    skipped: nq - counted,
    perClass: groupMean(apPerQuery, (i) => classesOf(query.labels, C, i)),
    perSite: query.siteIds ? groupMean(apPerQuery, (i) => [query.siteIds![i]!]) : {},
    apPerQuery,
  };
}

function classesOf(labels: Float32Array, C: number, i: number): number[] {
  const out: number[] = [];
  for (let c = 0; c < C; c++) if (labels[i * C + c]! > 0) out.push(c);
  return out;
}

function groupMean(values: Float64Array, groups: (i: number) => number[]): Record<string, number> {
  const acc = new Map<number, [number, number]>();
  values.forEach((v, i) => {
    if (Number.isNaN(v)) return;
    for (const g of groups(i)) {
      const a = acc.get(g) ?? [0, 0];
      a[0] += v;
      a[1] += 1;
      acc.set(g, a);
    }
  });
  return Object.fromEntries(
    [...acc].sort((a, b) => a[0] - b[0]).map(([g, [s, n]]) => [String(g), s / n]),
  );
}

export interface DirectionReport {
  /** Metrics per ordered pair "query→target". */
  directions: Record<string, RetrievalMetrics>;
  /** Mean mAP over all directions. */
  meanMap: number;
}

/** Every ordered pair of modalities (i → j, i ≠ j). */
export function evaluateAllDirections(
  sets: Record<string, RetrievalSet>,
  options: RetrievalOptions = {},
): DirectionReport {
  const names = Object.keys(sets);
  const directions: Record<string, RetrievalMetrics> = {};
  for (const a of names) {
    for (const b of names) {
      if (a !== b) directions[`${a}→${b}`] = evaluateRetrieval(sets[a]!, sets[b]!, options);
    }
  }
  const maps = Object.values(directions).map((m) => m.map);
  return { directions, meanMap: maps.reduce((s, v) => s + v, 0) / Math.max(1, maps.length) };
}

/** mAP of a random ranking: the expected AP when relevant items are placed uniformly at random. */
export function randomRankingMap(query: RetrievalSet, database: RetrievalSet): number {
  // E[AP] for a random permutation with R relevant among N: (1/N)·(R−1)/(N−1)·... closed form:
  // E[AP] = (R−1)/(N−1) + (N−R)/(N(N−1))·H_N, with H_N the N-th harmonic number.
  const C = query.numClasses;
  const nq = query.labels.length / C;
  const nd = database.labels.length / C;
  let harmonic = 0;
  for (let n = 1; n <= nd; n++) harmonic += 1 / n;
  let sum = 0;
  let counted = 0;
  for (let i = 0; i < nq; i++) {
    let r = 0;
    for (let j = 0; j < nd; j++) {
      for (let c = 0; c < C; c++) {
        if (query.labels[i * C + c]! > 0 && database.labels[j * C + c]! > 0) {
          r += 1;
          break;
        }
      }
    }
    if (r === 0) continue;
    sum += nd === 1 ? 1 : (r - 1) / (nd - 1) + ((nd - r) / (nd * (nd - 1))) * harmonic;
    counted += 1;
  }
  return counted > 0 ? sum / counted : 0;
}
