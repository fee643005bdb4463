import { FeatureError, toErrorInfo } from '../errors.ts';
import {
  DimensionGuard,
  labelsFrom,
  scalarString,
  vectorChecksum,
  type VectorReadArgs,
  type VectorRow,
} from './rows.ts';

interface JsonlRecord {
  id?: unknown;
  vector?: unknown;
  features?: unknown;
  labels?: unknown;
  label?: unknown;
  site?: unknown;
}

/** One JSONL line (1-based `row`) as a vector row; `guard` carries the dimension across lines. */
export function jsonlLineToRow(line: string, row: number, guard: DimensionGuard): VectorRow {
  let rec: JsonlRecord;
  try {
    const parsed = JSON.parse(line) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('line is not a JSON object');
    rec = parsed;
  } catch (err) {
    return {
      ok: false,
      row,
      error: { code: 'BAD_RECORD', message: `line ${row}: ${(err as Error).message}` },
    };
  }
  const id = scalarString(rec.id);
  const site = scalarString(rec.site);
  try {
    const values = rec.vector ?? rec.features;
    if (!Array.isArray(values))
      throw new FeatureError('BAD_RECORD', 'missing "vector" (or "features") array');
    const vector = guard.check(values);
    return {
      ok: true,
      row,
      ...(id !== undefined ? { id } : {}),
      vector,
      checksum: vectorChecksum(vector),
      labels: labelsFrom(rec.labels ?? rec.label),
      ...(site !== undefined ? { site } : {}),
    };
  } catch (err) {
    const e = toErrorInfo(err, 'BAD_VECTOR');
    return {
      ok: false,
      row,
      ...(id !== undefined ? { id } : {}),
      error: { ...e, message: `line ${row}: ${e.message}` },
    };
  }
}

/**
 * Rows of a JSONL feature file: one JSON object per line with `vector` (or `features`), optional
 * `id`, `labels` (array, or `a|b` string) or `label`, and `site`. Blank lines are skipped;
 * a line that is not such an object, or whose vector is bad, yields an error row.
 */
export function* parseJsonlVectors(text: string, args: VectorReadArgs = {}): Generator<VectorRow> {
  const guard = new DimensionGuard(args.dims);
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line.length > 0) yield jsonlLineToRow(line, i + 1, guard);
  }
}
