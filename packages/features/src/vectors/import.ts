import { FeatureError } from '../errors.ts';
import { parseNpy } from './npy.ts';
import { checkVector, vectorChecksum, type VectorReadArgs, type VectorRow } from './rows.ts';

export interface NpyImportArgs extends VectorReadArgs {
  /** Per-row labels: a 1-D integer class-id array, or a 2-D multi-hot (rows × classes) array. */
  labels?: Uint8Array;
  /** Class names indexed by class id; default the id as a string. */
  classNames?: readonly string[];
  /** Per-row ids and sites, if known. */
  ids?: readonly string[];
  sites?: readonly (string | undefined)[];
}

export function labelRows(
  bytes: Uint8Array,
  rows: number,
  names: readonly string[] | undefined,
): string[][] {
  const arr = parseNpy(bytes);
  if (arr.shape[0] !== rows)
    throw new FeatureError(
      'BAD_RECORD',
      `labels file has ${arr.shape[0]} rows, features have ${rows}`,
    );
  const name = (c: number) => names?.[c] ?? String(c);
  if (arr.shape.length === 1) return Array.from(arr.data, (c) => [name(c)]);
  const k = arr.shape[1]!;
  return Array.from({ length: rows }, (_, i) => {
    const out: string[] = [];
    for (let c = 0; c < k; c++) if (arr.data[i * k + c]! > 0) out.push(name(c));
    return out;
  });
}

/**
 * Rows of a 2-D `.npy` feature array (rows × dims), with optional labels/ids/sites. A row with
 * NaN/Inf, or every row when the width differs from `dims`, is an error row.
 */
export function* readNpyVectors(bytes: Uint8Array, args: NpyImportArgs = {}): Generator<VectorRow> {
  const arr = parseNpy(bytes);
  if (arr.shape.length !== 2)
    throw new FeatureError(
      'BAD_RECORD',
      `feature array must be 2-D, found shape (${arr.shape.join(', ')})`,
    );
  const [rows, width] = arr.shape as [number, number];
  const labels = args.labels ? labelRows(args.labels, rows, args.classNames) : undefined;
  for (let i = 0; i < rows; i++) {
    yield npyVectorRow(i, Array.from(arr.data.subarray(i * width, (i + 1) * width)), args, labels);
  }
}

export type VectorFileFormat = 'npy' | 'jsonl' | 'csv';

export function vectorFormatFromPath(path: string): VectorFileFormat | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith('.npy')) return 'npy';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  if (lower.endsWith('.csv')) return 'csv';
  return undefined;
}

/** All rows of a `.npy`, `.jsonl` or `.csv` feature file (see `streamVectorFile` for large files). */
export async function readVectorFile(
  path: string,
  args: NpyImportArgs & { format?: VectorFileFormat } = {},
): Promise<VectorRow[]> {
  const { streamVectorFile } = await import('./stream.ts');
  const rows: VectorRow[] = [];
  for await (const row of streamVectorFile(path, args)) rows.push(row);
  return rows;
}

/**
 * One `.npy` row as a result: its checked vector with labels, id and site, or an error row that
 * names the row number (1-based). Shared by the in-memory reader and the streaming reader.
 */
export function npyVectorRow(
  index: number,
  values: readonly number[],
  args: NpyImportArgs,
  labels: readonly string[][] | undefined,
): VectorRow {
  const row = index + 1;
  const id = args.ids?.[index];
  const site = args.sites?.[index];
  try {
    const vector = checkVector(values, args.dims);
    return {
      ok: true,
      row,
      ...(id !== undefined ? { id } : {}),
      vector,
      checksum: vectorChecksum(vector),
      labels: labels?.[index] ?? [],
      ...(site !== undefined ? { site } : {}),
    };
  } catch (err) {
    const e =
      err instanceof FeatureError
        ? err.toJSON()
        : { code: 'BAD_VECTOR' as const, message: String(err) };
    return {
      ok: false,
      row,
      ...(id !== undefined ? { id } : {}),
      error: { ...e, message: `row ${row}: ${e.message}` },
    };
  }
}
