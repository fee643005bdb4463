/** Validation and SQL text for pgvector values, shared by the vector repositories. */
import { DbError } from './errors.ts';

/** pgvector's HNSW index takes up to 2,000 dimensions for `vector` and 4,000 for `halfvec`. */
export const HNSW_MAX_VECTOR_DIMENSION = 2000;
export const HNSW_MAX_HALFVEC_DIMENSION = 4000;

export type VectorInput = Float32Array | Float64Array | readonly number[];

export function assertVector(vector: VectorInput, dimension: number, what = 'vector'): void {
  if (vector.length !== dimension) {
    throw new DbError(
      'INVALID_VECTOR',
      `${what} has ${vector.length} dimensions; this model's space has ${dimension}.`,
    );
  }
  for (let i = 0; i < vector.length; i += 1) {
    if (!Number.isFinite(vector[i])) {
      throw new DbError('INVALID_VECTOR', `${what} has a non-finite component at index ${i}.`);
    }
  }
}

/** pgvector's text form, e.g. `[0.1,0.2]`; float32 values print exactly enough to round-trip. */
export function vectorLiteral(vector: VectorInput): string {
  return `[${Array.prototype.join.call(vector, ',')}]`;
}

/** The type the index and approximate search cast to: halfvec above 2,000 dimensions. */
export function indexedType(dimension: number): string {
  if (!Number.isInteger(dimension) || dimension < 1 || dimension > HNSW_MAX_HALFVEC_DIMENSION) {
    throw new DbError(
      'INVALID_ARGUMENT',
      `An HNSW index supports 1..${HNSW_MAX_HALFVEC_DIMENSION} dimensions, not ${dimension}.`,
    );
  }
  return dimension > HNSW_MAX_VECTOR_DIMENSION ? `halfvec(${dimension})` : `vector(${dimension})`;
}

export function opsClass(dimension: number): string {
  return dimension > HNSW_MAX_VECTOR_DIMENSION ? 'halfvec_cosine_ops' : 'vector_cosine_ops';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** Ids are inlined only into index predicates, and only after this check. */
export function assertUuid(value: string, what: string): void {
  if (!isUuid(value))
    throw new DbError('NOT_FOUND', `Unknown ${what} id: ${JSON.stringify(value)}.`);
}

export function hnswIndexName(modelId: string): string {
  assertUuid(modelId, 'model');
  return `embedding_hnsw_${modelId.replaceAll('-', '')}`;
}
