import { parse } from 'csv-parse/sync';
import { toErrorInfo } from '../errors.ts';
import {
  DimensionGuard,
  labelsFrom,
  vectorChecksum,
  type VectorReadArgs,
  type VectorRow,
} from './rows.ts';

const META_COLUMNS = new Set(['id', 'label', 'labels', 'site']);

/** Turns CSV records (first = header) into vector rows; works on arrays and streams alike. */
export async function* csvRecordsToRows(
  records: AsyncIterable<string[]> | Iterable<string[]>,
  args: VectorReadArgs = {},
): AsyncGenerator<VectorRow> {
  let header: string[] | undefined;
  let idCol = -1;
  let labelCol = -1;
  let siteCol = -1;
  let featureCols: number[] = [];
  let guard = new DimensionGuard(args.dims);
  let r = 0;
  for await (const rec of records) {
    if (header === undefined) {
      header = rec.map((h) => h.toLowerCase());
      const col = (name: string) => header!.indexOf(name);
      idCol = col('id');
      labelCol = col('labels') >= 0 ? col('labels') : col('label');
      siteCol = col('site');
      featureCols = header.map((h, i) => (META_COLUMNS.has(h) ? -1 : i)).filter((i) => i >= 0);
      guard = new DimensionGuard(
        args.dims ?? (featureCols.length > 0 ? featureCols.length : undefined),
      );
      continue;
    }
    r++;
    const id = idCol >= 0 ? rec[idCol] : undefined;
    try {
      // A short row leaves trailing feature columns missing: report the count it has.
      const present = featureCols.filter((c) => c < rec.length).map((c) => rec[c]);
      const vector = guard.check(present);
      const site = siteCol >= 0 ? rec[siteCol] : undefined;
      yield {
        ok: true,
        row: r,
        ...(id !== undefined && id !== '' ? { id } : {}),
        vector,
        checksum: vectorChecksum(vector),
        labels: labelCol >= 0 ? labelsFrom(rec[labelCol]) : [],
        ...(site !== undefined && site !== '' ? { site } : {}),
      };
    } catch (err) {
      const e = toErrorInfo(err, 'BAD_VECTOR');
      yield {
        ok: false,
        row: r,
        ...(id !== undefined && id !== '' ? { id } : {}),
        error: { ...e, message: `row ${r}: ${e.message}` },
      };
    }
  }
}

export const CSV_OPTIONS = {
  relax_column_count: true,
  skip_empty_lines: true,
  trim: true,
  bom: true,
} as const;

/**
 * Rows of a CSV feature file with a header row. Columns named `id`, `label`/`labels` (several
 * labels separated by `|`) and `site` are metadata; every other column is a feature, in order.
 */
export async function parseCsvVectors(
  text: string,
  args: VectorReadArgs = {},
): Promise<VectorRow[]> {
  const records: string[][] = parse(text, CSV_OPTIONS);
  const out: VectorRow[] = [];
  for await (const row of csvRecordsToRows(records, args)) out.push(row);
  return out;
}
