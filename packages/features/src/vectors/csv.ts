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

/**
 * Rows of a CSV feature file with a header row. Columns named `id`, `label`/`labels` (several
 * labels separated by `|`) and `site` are metadata; every other column is a feature, in order.
 */
export function* parseCsvVectors(text: string, args: VectorReadArgs = {}): Generator<VectorRow> {
  const records: string[][] = parse(text, {
    relax_column_count: true,
    skip_empty_lines: true,
    trim: true,
    bom: true,
  });
  const header = (records[0] ?? []).map((h) => h.toLowerCase());
  const col = (name: string) => header.indexOf(name);
  const idCol = col('id');
  const labelCol = col('labels') >= 0 ? col('labels') : col('label');
  const siteCol = col('site');
  const featureCols = header.map((h, i) => (META_COLUMNS.has(h) ? -1 : i)).filter((i) => i >= 0);
  const guard = new DimensionGuard(
    args.dims ?? (featureCols.length > 0 ? featureCols.length : undefined),
  );
  for (let r = 1; r < records.length; r++) {
    const rec = records[r]!;
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
