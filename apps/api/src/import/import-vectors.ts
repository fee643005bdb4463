/**
 * Imports pre-extracted feature vectors (rows of a `.npy`, JSONL or CSV feature file, as
 * `@concord/features`' `streamVectorFile` yields them) into a dataset modality whose features are
 * imported, through the same ingestion service as `importItems` (`ingestItems`), in batches.
 * A row the reader could not parse (NaN, wrong dimension, bad JSON) or the service refuses fails
 * alone with its row number; the rest is stored. Re-importing stores nothing twice (the vector's
 * checksum). Pass the dataset's dimension as the reader's `dims` (as the CLI does): otherwise
 * the reader takes the first row's, and a wrong first row fails every good row after it.
 */
import { isDbError, type ItemSplit } from '@concord/db';
import { vectorChecksum, type VectorRow } from '@concord/features';
import type { Principal } from '../auth/principal.ts';
import type { AppDeps } from '../context.ts';
import { AppError, badInput, notFound } from '../errors.ts';
import {
  importedFeaturesOf,
  type DatasetModality,
} from '../services/datasets/imported-features.ts';
import { checkLabelName } from '../services/datasets/manage-labels.ts';
import { ingestItems, type IngestItemData } from '../services/items/ingest-items.ts';
import type { ImportProgress, ImportSummary } from './import-items.ts';

/** Vectors per `ingestItems` call (no CNN runs for them, so batches can be larger). */
export const DEFAULT_VECTOR_BATCH = 64;

export interface ImportVectorsArgs {
  datasetId: string;
  modality: DatasetModality;
  /** Site of rows that name none. */
  defaultSite?: string;
  /** Labels of rows that have none. */
  defaultLabels?: string[];
  /** Split of every row; default the one derived from the vector's checksum. */
  split?: ItemSplit;
  batchSize?: number;
  /** Number of rows, when known, for progress. */
  total?: number;
  onProgress?: (progress: ImportProgress) => void;
  signal?: AbortSignal;
}

interface Pending {
  row: number;
  data: IngestItemData;
}

export async function importVectors(
  deps: AppDeps,
  principal: Principal,
  rows: Iterable<VectorRow> | AsyncIterable<VectorRow>,
  args: ImportVectorsArgs,
): Promise<ImportSummary> {
  const started = Date.now();
  const dataset = await deps.repos.datasets.findById(args.datasetId);
  if (!dataset) throw notFound('dataset', args.datasetId);
  const features = importedFeaturesOf(dataset).get(args.modality);
  if (!features)
    throw badInput(
      `The dataset's ${args.modality} features are not imported (create it with importedFeatures, or the CLI's --create).`,
      ['modality'],
    );
  const batchSize = Math.max(
    1,
    Math.min(args.batchSize ?? DEFAULT_VECTOR_BATCH, deps.env.MAX_INGEST_BATCH),
  );
  const sites = new Set((await deps.repos.datasets.listSites(dataset.id)).map((s) => s.name));
  const summary: ImportSummary = { created: 0, duplicates: 0, failed: 0, errors: [], elapsedMs: 0 };
  const fail = (row: number, key: string | null, code: string, message: string) => {
    summary.failed++;
    summary.errors.push({ key: key ?? `row ${row}`, row, code, message });
  };

  const prepare = async (row: VectorRow): Promise<IngestItemData | null> => {
    const key = row.id ?? null;
    if (!row.ok) {
      fail(row.row, key, row.error.code, row.error.message);
      return null;
    }
    const labels = row.labels.length > 0 ? row.labels : (args.defaultLabels ?? []);
    if (labels.length < 1 || labels.length > 50) {
      fail(row.row, key, 'BAD_LABELS', `row ${row.row}: a row needs 1..50 labels`);
      return null;
    }
    try {
      labels.forEach((label) => checkLabelName(label));
    } catch (error) {
      fail(row.row, key, 'BAD_LABELS', `row ${row.row}: ${(error as Error).message}`);
      return null;
    }
    const site = row.site ?? args.defaultSite;
    if (site === undefined) {
      fail(row.row, key, 'NO_SITE', `row ${row.row}: the row names no site (give --site)`);
      return null;
    }
    if (!sites.has(site)) {
      await deps.repos.datasets.createSite(dataset.id, { name: site }).catch((error: unknown) => {
        if (!isDbError(error) || error.code !== 'CONFLICT') throw error;
      });
      sites.add(site);
    }
    return {
      key,
      site,
      labels,
      modality: args.modality === 'image' ? 'IMAGE' : 'TEXT',
      vector: row.vector,
      ...(args.split ? { split: args.split } : {}),
    };
  };

  const store = async (batch: Pending[]): Promise<void> => {
    try {
      const outcome = await ingestItems(deps, principal, {
        datasetId: dataset.id,
        items: batch.map((p) => p.data),
      });
      for (const r of outcome.results) {
        if (r.status === 'CREATED') summary.created++;
        else if (r.status === 'DUPLICATE') summary.duplicates++;
        else {
          const row = batch[r.index]!.row;
          fail(row, r.key, r.errorCode ?? 'FAILED', `row ${row}: ${r.error ?? 'failed'}`);
        }
      }
    } catch (error) {
      // The service refused the whole batch: find the row(s) it refuses, one at a time.
      if (!(error instanceof AppError)) throw error;
      if (batch.length === 1) {
        const { row, data } = batch[0]!;
        // The service names the item's index in its one-item batch: name the file's row instead.
        const message = error.message.replace(/^Item 0: /, '');
        return fail(row, data.key ?? null, error.code, `row ${row}: ${message}`);
      }
      for (const one of batch) await store([one]);
    }
  };

  let batch: Pending[] = [];
  let checksums = new Set<string>();
  let processed = 0;
  let pending = 0;
  const flush = async () => {
    if (batch.length > 0) await store(batch);
    batch = [];
    pending = 0;
    checksums = new Set();
    summary.elapsedMs = Date.now() - started;
    args.onProgress?.({
      processed,
      created: summary.created,
      duplicates: summary.duplicates,
      failed: summary.failed,
      ...(args.total !== undefined ? { total: args.total } : {}),
      elapsedMs: summary.elapsedMs,
    });
    await new Promise((resolve) => setImmediate(resolve));
  };
  for await (const row of rows) {
    args.signal?.throwIfAborted();
    const data = await prepare(row);
    if (data && row.ok) {
      // The same vector twice in one batch: store the first, so the second is a duplicate.
      const checksum = vectorChecksum(row.vector);
      if (checksums.has(checksum)) await flush();
      checksums.add(checksum);
      batch.push({ row: row.row, data });
    }
    processed++;
    pending++;
    if (pending >= batchSize) await flush();
  }
  await flush();
  return summary;
}
