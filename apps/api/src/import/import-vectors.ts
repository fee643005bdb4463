/**
 * Imports pre-extracted feature vectors (rows of a `.npy`, JSONL or CSV feature file, as
 * `@concord/features`' `streamVectorFile` yields them) into a dataset modality whose features are
 * imported, through the same ingestion service as `importItems` (`ingestItems`), in batches.
 * A row the reader could not parse (NaN, wrong dimension, bad JSON) or the service refuses fails
 * alone with its row number; the rest is stored. Re-importing stores nothing twice (the vector's
 * checksum). Pass the dataset's dimension as the reader's `dims` (as the CLI does): otherwise
 * the reader takes the first row's, and a wrong first row fails every good row after it.
 */
import type { ItemSplit } from '@concord/db';
import { vectorChecksum, type VectorRow } from '@concord/features';
import type { Principal } from '../auth/principal.ts';
import type { AppDeps } from '../context.ts';
import { badInput } from '../errors.ts';
import {
  importedFeaturesOf,
  type DatasetModality,
} from '../services/datasets/imported-features.ts';
import {
  ImportRun,
  type ImportEntry,
  type BatchOptions,
  type ImportSummary,
} from './import-run.ts';

/** Vectors per `ingestItems` call (no CNN runs for them, so batches can be larger). */
export const DEFAULT_VECTOR_BATCH = 64;

export interface ImportVectorsArgs extends BatchOptions {
  datasetId: string;
  modality: DatasetModality;
  /** Site of rows that name none. */
  defaultSite?: string;
  /** Labels of rows that have none. */
  defaultLabels?: string[];
  /** Split of every row; default the one derived from the vector's checksum. */
  split?: ItemSplit;
}

export async function importVectors(
  deps: AppDeps,
  principal: Principal,
  rows: Iterable<VectorRow> | AsyncIterable<VectorRow>,
  args: ImportVectorsArgs,
): Promise<ImportSummary> {
  const run = await ImportRun.open(deps, principal, args.datasetId, args.createLabels);
  if (!importedFeaturesOf(run.dataset).has(args.modality))
    throw badInput(
      `The dataset's ${args.modality} features are not imported (create it with importedFeatures, or the CLI's --create).`,
      ['modality'],
    );
  const prepare = async (row: VectorRow): Promise<ImportEntry | null> => {
    const ref = { key: row.id ?? `row ${row.row}`, row: row.row };
    if (!row.ok) return run.fail(ref, row.error);
    const labels = run.labels(row.labels, args.defaultLabels);
    if (!Array.isArray(labels)) return run.fail(ref, labels);
    const site = await run.site(row.site ?? args.defaultSite);
    if (typeof site !== 'string')
      return run.fail(ref, { ...site, message: `${site.message} (give --site)` });
    return {
      ...ref,
      checksum: vectorChecksum(row.vector),
      data: {
        key: row.id ?? null,
        site,
        labels,
        modality: args.modality === 'image' ? 'IMAGE' : 'TEXT',
        vector: row.vector,
        ...(args.split ? { split: args.split } : {}),
      },
    };
  };
  return run.run(rows, prepare, args, DEFAULT_VECTOR_BATCH);
}
