import { sha256Hex } from '../checksum.ts';
import { FeatureError } from '../errors.ts';
import type { TextFeaturiser } from './featuriser.ts';
import { randomizedSvd, type Csr } from './linalg.ts';
import { tokenize, type Stemming } from './tokenize.ts';

export const LSA_FEATURISER_ID = 'lsa-tfidf';
export const LSA_FORMAT_VERSION = 1;
export const DEFAULT_LSA_DIMS = 300;
/** Below this many documents, `minDf` is 1 and `maxDfRatio` is not applied (tiny corpora). */
export const SMALL_CORPUS_DOCUMENTS = 20;

export interface LsaArgs {
  /** Output size; components beyond the corpus rank are zero. Default 300. */
  dims?: number;
  /** Keep terms found in at least this many documents. Default 2. */
  minDf?: number;
  /** Drop terms found in more than this share of documents. Default 0.95. */
  maxDfRatio?: number;
  /** Keep at most this many terms (highest document frequency first). Default 50,000. */
  maxFeatures?: number;
  /** tf → 1 + ln(tf). Default true. */
  sublinearTf?: boolean;
  stopWords?: 'english' | 'none';
  stemming?: Stemming;
  minTokenLength?: number;
  /** Randomized-SVD subspace iterations. Default 4. */
  powerIterations?: number;
  oversamples?: number;
  seed?: number;
  /** L2-normalise output vectors. Default true. */
  l2Normalize?: boolean;
}

export type LsaConfig = Required<LsaArgs>;

export const DEFAULT_LSA_CONFIG: LsaConfig = {
  dims: DEFAULT_LSA_DIMS,
  minDf: 2,
  maxDfRatio: 0.95,
  maxFeatures: 50_000,
  sublinearTf: true,
  stopWords: 'english',
  stemming: 'plural',
  minTokenLength: 2,
  powerIterations: 4,
  oversamples: 10,
  seed: 42,
  l2Normalize: true,
};

/** The serialised model: everything needed to featurise a query exactly like the corpus. */
export interface LsaModelJson {
  format: 'concord-lsa';
  formatVersion: number;
  config: LsaConfig;
  documents: number;
  rank: number;
  vocabulary: string[];
  idf: number[];
  singularValues: number[];
  /** rank × vocabulary float32, row-major, little-endian, base64. */
  components: string;
}

function termCounts(
  tokens: readonly string[],
  index: ReadonlyMap<string, number>,
): Map<number, number> {
  const counts = new Map<number, number>();
  for (const t of tokens) {
    const j = index.get(t);
    if (j !== undefined) counts.set(j, (counts.get(j) ?? 0) + 1);
  }
  return counts;
}

/** TF-IDF row, L2-normalised, as sorted (index, value) pairs. */
function tfidfRow(
  counts: Map<number, number>,
  idf: Float64Array,
  sublinear: boolean,
): { indices: number[]; values: number[] } {
  const indices = [...counts.keys()].sort((a, b) => a - b);
  const values = indices.map((j) => {
    const tf = counts.get(j)!;
    return (sublinear ? 1 + Math.log(tf) : tf) * idf[j]!;
  });
  const norm = Math.sqrt(values.reduce((s, v) => s + v * v, 0));
  return { indices, values: norm > 0 ? values.map((v) => v / norm) : values };
}

/** A fitted TF-IDF → truncated-SVD (LSA) text featuriser. Immutable; build with {@link fitLsa}. */
export class LsaModel implements TextFeaturiser {
  readonly id = LSA_FEATURISER_ID;
  readonly version: string;
  readonly dims: number;
  private readonly index: Map<string, number>;

  private constructor(
    readonly config: LsaConfig,
    readonly documents: number,
    readonly rank: number,
    readonly vocabulary: readonly string[],
    readonly idf: Float64Array,
    readonly singularValues: Float64Array,
    /** rank × |vocabulary|, row-major. */
    readonly components: Float32Array,
  ) {
    this.dims = config.dims;
    this.index = new Map(vocabulary.map((t, i) => [t, i]));
    this.version = `v${LSA_FORMAT_VERSION}-${sha256Hex(JSON.stringify(this.toJSON())).slice(0, 16)}`;
  }

  /** @internal used by fitLsa and fromJSON */
  static create(
    config: LsaConfig,
    documents: number,
    rank: number,
    vocabulary: readonly string[],
    idf: Float64Array,
    singularValues: Float64Array,
    components: Float32Array,
  ): LsaModel {
    if (components.length !== rank * vocabulary.length || idf.length !== vocabulary.length)
      throw new Error('inconsistent LSA model arrays');
    return new LsaModel(config, documents, rank, vocabulary, idf, singularValues, components);
  }

  featurise(texts: readonly string[]): Promise<Float32Array[]> {
    return Promise.resolve(texts.map((t) => this.featuriseOne(t)));
  }

  /** The vector of one text; all-zero when none of its terms is in the vocabulary. */
  featuriseOne(text: string): Float32Array {
    const v = this.vocabulary.length;
    const row = tfidfRow(
      termCounts(tokenize(text, this.config), this.index),
      this.idf,
      this.config.sublinearTf,
    );
    const out = new Float64Array(this.dims);
    for (let c = 0; c < this.rank; c++) {
      let s = 0;
      for (let p = 0; p < row.indices.length; p++)
        s += row.values[p]! * this.components[c * v + row.indices[p]!]!;
      out[c] = s;
    }
    if (this.config.l2Normalize) {
      const norm = Math.sqrt(out.reduce((s, x) => s + x * x, 0));
      if (norm > 0) for (let c = 0; c < out.length; c++) out[c]! /= norm;
    }
    return Float32Array.from(out);
  }

  toJSON(): LsaModelJson {
    const c = this.components;
    return {
      format: 'concord-lsa',
      formatVersion: LSA_FORMAT_VERSION,
      config: this.config,
      documents: this.documents,
      rank: this.rank,
      vocabulary: [...this.vocabulary],
      idf: Array.from(this.idf),
      singularValues: Array.from(this.singularValues),
      components: Buffer.from(c.buffer, c.byteOffset, c.byteLength).toString('base64'),
    };
  }

  /** UTF-8 JSON bytes, for storing next to the dataset. */
  toBytes(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify(this.toJSON()));
  }

  static fromJSON(json: LsaModelJson): LsaModel {
    if (json.format !== 'concord-lsa')
      throw new Error(`not an LSA model (format ${String(json.format)})`);
    if (json.formatVersion !== LSA_FORMAT_VERSION)
      throw new Error(`unsupported LSA model format version ${json.formatVersion}`);
    const bytes = Buffer.from(json.components, 'base64');
    const components = new Float32Array(bytes.byteLength / 4);
    new Uint8Array(components.buffer).set(bytes);
    return LsaModel.create(
      { ...DEFAULT_LSA_CONFIG, ...json.config },
      json.documents,
      json.rank,
      json.vocabulary,
      Float64Array.from(json.idf),
      Float64Array.from(json.singularValues),
      components,
    );
  }

  static fromBytes(bytes: Uint8Array): LsaModel {
    return LsaModel.fromJSON(JSON.parse(new TextDecoder().decode(bytes)) as LsaModelJson);
  }
}

/**
 * Fits TF-IDF (smooth idf, sublinear tf, L2 rows) and a truncated SVD on a dataset's own texts.
 * Deterministic for the same texts and config (seeded randomized SVD, fixed component signs).
 */
export function fitLsa(texts: readonly string[], args: LsaArgs = {}): LsaModel {
  const config: LsaConfig = { ...DEFAULT_LSA_CONFIG, ...args };
  if (!Number.isInteger(config.dims) || config.dims < 1)
    throw new Error('dims must be a positive integer');
  const n = texts.length;
  if (n === 0) throw new FeatureError('EMPTY_CONTENT', 'cannot fit LSA on zero texts');
  const small = n < SMALL_CORPUS_DOCUMENTS;
  const minDf = small ? 1 : config.minDf;
  const maxDf = small ? n : Math.floor(config.maxDfRatio * n);

  const docs = texts.map((t) => tokenize(t, config));
  const df = new Map<string, number>();
  for (const tokens of docs) for (const t of new Set(tokens)) df.set(t, (df.get(t) ?? 0) + 1);
  const vocabulary = [...df.entries()]
    .filter(([, d]) => d >= minDf && d <= maxDf)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, config.maxFeatures)
    .map(([t]) => t)
    .sort();
  if (vocabulary.length === 0)
    throw new FeatureError(
      'EMPTY_CONTENT',
      'no terms left to fit LSA on after tokenising the corpus',
    );
  const index = new Map(vocabulary.map((t, i) => [t, i]));
  const idf = Float64Array.from(vocabulary, (t) => Math.log((1 + n) / (1 + df.get(t)!)) + 1);

  const indptr = new Int32Array(n + 1);
  const indices: number[] = [];
  const data: number[] = [];
  docs.forEach((tokens, i) => {
    const row = tfidfRow(termCounts(tokens, index), idf, config.sublinearTf);
    indices.push(...row.indices);
    data.push(...row.values);
    indptr[i + 1] = indices.length;
  });
  const x: Csr = {
    rows: n,
    cols: vocabulary.length,
    indptr,
    indices: Int32Array.from(indices),
    data: Float64Array.from(data),
  };
  const k = Math.min(config.dims, n, vocabulary.length);
  const svd = randomizedSvd(x, k, config);
  return LsaModel.create(
    config,
    n,
    svd.k,
    vocabulary,
    idf,
    svd.singularValues,
    Float32Array.from(svd.components),
  );
}
