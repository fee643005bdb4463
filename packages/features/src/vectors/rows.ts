import { sha256Hex } from '../checksum.ts';
import { FeatureError, type FeatureErrorInfo } from '../errors.ts';

/** One row of a pre-extracted feature file: a vector with its labels and site, or its error. */
export type VectorRow =
  | {
      ok: true;
      /** 1-based row number in the file (data rows for CSV/.npy, lines for JSONL). */
      row: number;
      id?: string;
      vector: Float32Array;
      /** Hex sha256 of the vector's float32 little-endian bytes: the idempotency key for imports. */
      checksum: string;
      labels: string[];
      site?: string;
    }
  | { ok: false; row: number; id?: string; error: FeatureErrorInfo };

export interface VectorReadArgs {
  /** Expected dimension; by default the dimension of the first valid row. */
  dims?: number;
}

/**
 * Checks a row's values: every entry a finite number, and the expected length. Returns the
 * vector, or throws `BAD_VECTOR` naming the first offending position.
 */
export function checkVector(values: readonly unknown[], dims: number | undefined): Float32Array {
  if (values.length === 0) throw new FeatureError('BAD_VECTOR', 'vector is empty');
  if (dims !== undefined && values.length !== dims)
    throw new FeatureError('BAD_VECTOR', `vector has ${values.length} values, expected ${dims}`);
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const n =
      typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    if (!Number.isFinite(n)) {
      const shown = typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? 'undefined');
      throw new FeatureError('BAD_VECTOR', `value ${i} is ${shown}, not a finite number`);
    }
    if (Math.abs(n) > 3.4028234663852886e38)
      throw new FeatureError('BAD_VECTOR', `value ${i} (${n}) overflows float32`);
    out[i] = n;
  }
  return out;
}

/** Tracks the dimension: fixed by the caller, or by the first valid row. */
export class DimensionGuard {
  constructor(private dims: number | undefined) {}

  check(values: readonly unknown[]): Float32Array {
    const v = checkVector(values, this.dims);
    this.dims ??= v.length;
    return v;
  }

  get current(): number | undefined {
    return this.dims;
  }
}

/** A string, number or boolean as a non-empty string; anything else (objects, null, '') undefined. */
export function scalarString(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** Labels from an array, or from one string with several labels separated by `|`. */
export function labelsFrom(value: unknown): string[] {
  if (Array.isArray(value))
    return value.map(scalarString).filter((v): v is string => v !== undefined);
  const text = scalarString(value);
  if (text === undefined) return [];
  return text
    .split('|')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** A vector as float32 little-endian bytes (platform-independent). */
export function vectorBytes(vector: Float32Array): Uint8Array {
  const bytes = new Uint8Array(vector.length * 4);
  const view = new DataView(bytes.buffer);
  vector.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return bytes;
}

/** A vector back from its float32 little-endian bytes. */
export function vectorFromBytes(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Float32Array.from({ length: bytes.byteLength / 4 }, (_, i) =>
    view.getFloat32(i * 4, true),
  );
}

/** sha256 of a vector's float32 little-endian bytes: the idempotency key of an imported vector. */
export function vectorChecksum(vector: Float32Array): string {
  return sha256Hex(vectorBytes(vector));
}
