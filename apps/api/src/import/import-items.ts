/**
 * Imports content (files, inline texts) into a dataset through the API's own ingestion service
 * (`ingestItems`): the same validation, content pipeline, checksum idempotency and storage as the
 * GraphQL `ingestItems` mutation, fed in small batches. An item the service would refuse for the
 * whole batch (no label, unknown site, too large, unreadable file) fails alone with a code here,
 * and the rest goes on. Used by the `import` CLI and by the demo corpus seeding.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { isDbError } from '@concord/db';
import { kindFromPath, MIME_BY_KIND, type SourceItem } from '@concord/features';
import type { Principal } from '../auth/principal.ts';
import type { AppDeps } from '../context.ts';
import { AppError, notFound } from '../errors.ts';
import { checkLabelName } from '../services/datasets/manage-labels.ts';
import { ingestItems, type IngestItemData } from '../services/items/ingest-items.ts';

/** The principal of in-process tools (import CLI, demo seeding): an unscoped admin. */
export const SYSTEM_PRINCIPAL: Principal = { keyId: 'system', role: 'admin', datasetIds: null };

/** Items per `ingestItems` call: small, so the API stays responsive between batches. */
export const DEFAULT_IMPORT_BATCH = 16;

export interface ImportArgs {
  datasetId: string;
  /** Site of items that name none. */
  defaultSite?: string;
  /** Labels of items that have none. */
  defaultLabels?: string[];
  /** Create the sites items name that the dataset lacks (default true); else they fail. */
  createSites?: boolean;
  batchSize?: number;
  /** Number of items, when known, for progress. */
  total?: number;
  onProgress?: (progress: ImportProgress) => void;
  /** Stops between batches; what was stored stays stored (a re-import skips it). */
  signal?: AbortSignal;
}

export interface ImportCounts {
  created: number;
  duplicates: number;
  failed: number;
}

export interface ImportProgress extends ImportCounts {
  processed: number;
  total?: number;
  elapsedMs: number;
}

export interface ImportError {
  key: string;
  /** 1-based row of a feature file (`importVectors`). */
  row?: number;
  code: string;
  message: string;
}

export interface ImportSummary extends ImportCounts {
  errors: ImportError[];
  elapsedMs: number;
}

export async function importItems(
  deps: AppDeps,
  principal: Principal,
  items: Iterable<SourceItem> | AsyncIterable<SourceItem>,
  args: ImportArgs,
): Promise<ImportSummary> {
  const started = Date.now();
  const dataset = await deps.repos.datasets.findById(args.datasetId);
  if (!dataset) throw notFound('dataset', args.datasetId);
  const batchSize = Math.max(
    1,
    Math.min(args.batchSize ?? DEFAULT_IMPORT_BATCH, deps.env.MAX_INGEST_BATCH),
  );
  const sites = new Set((await deps.repos.datasets.listSites(dataset.id)).map((s) => s.name));
  const summary: ImportSummary = { created: 0, duplicates: 0, failed: 0, errors: [], elapsedMs: 0 };
  let processed = 0;
  const fail = (key: string, code: string, message: string) => {
    summary.failed++;
    summary.errors.push({ key, code, message });
  };

  const prepare = async (item: SourceItem): Promise<IngestItemData | null> => {
    const refuse = (code: string, message: string) => {
      fail(item.key, code, message);
      return null;
    };
    if (item.error) return refuse(item.error.code, item.error.message);
    const labels = item.labels.length > 0 ? item.labels : (args.defaultLabels ?? []);
    if (labels.length < 1 || labels.length > 50)
      return refuse('BAD_LABELS', 'an item needs 1..50 labels');
    try {
      labels.forEach((label) => checkLabelName(label));
    } catch (error) {
      return refuse('BAD_LABELS', (error as Error).message);
    }
    const site = item.site ?? args.defaultSite;
    if (site === undefined) return refuse('NO_SITE', 'the item names no site');
    if (!sites.has(site)) {
      if (args.createSites === false)
        return refuse('UNKNOWN_SITE', `the dataset has no site "${site}"`);
      await deps.repos.datasets.createSite(dataset.id, { name: site }).catch((error: unknown) => {
        if (!isDbError(error) || error.code !== 'CONFLICT') throw error;
      });
      sites.add(site);
    }
    if (item.modality && !dataset.modalities.includes(item.modality))
      return refuse('TYPE_MISMATCH', `the dataset holds no ${item.modality} items`);
    const content = await readContent(item, deps.env.MAX_UPLOAD_BYTES);
    if ('code' in content) return refuse(content.code, content.message);
    const mime = item.mime ?? (item.path ? mimeOfPath(item.path) : undefined);
    return {
      key: item.key,
      site,
      labels,
      ...content,
      ...(item.modality ? { modality: item.modality === 'image' ? 'IMAGE' : 'TEXT' } : {}),
      ...(mime ? { mimeType: mime } : {}),
      ...(item.metadata ? { metadata: item.metadata } : {}),
    };
  };

  const store = async (batch: IngestItemData[]) => {
    try {
      const outcome = await ingestItems(deps, principal, { datasetId: dataset.id, items: batch });
      for (const r of outcome.results) {
        if (r.status === 'CREATED') summary.created++;
        else if (r.status === 'DUPLICATE') summary.duplicates++;
        else fail(r.key ?? String(r.index), r.errorCode ?? 'FAILED', r.error ?? 'failed');
      }
    } catch (error) {
      // The service refused the whole batch: find the item(s) it refuses, one at a time.
      if (!(error instanceof AppError)) throw error;
      if (batch.length === 1) return fail(batch[0]!.key ?? '?', error.code, error.message);
      for (const one of batch) await store([one]);
    }
  };

  let batch: IngestItemData[] = [];
  let pending = 0;
  let contents = new Set<string>();
  const flush = async () => {
    if (batch.length > 0) await store(batch);
    batch = [];
    pending = 0;
    contents = new Set();
    summary.elapsedMs = Date.now() - started;
    args.onProgress?.({
      processed,
      created: summary.created,
      duplicates: summary.duplicates,
      failed: summary.failed,
      ...(args.total !== undefined ? { total: args.total } : {}),
      elapsedMs: summary.elapsedMs,
    });
    // Let requests waiting on the event loop run between batches.
    await new Promise((resolve) => setImmediate(resolve));
  };
  for await (const item of items) {
    args.signal?.throwIfAborted();
    const data = await prepare(item);
    if (data) {
      // The same content twice in one batch would race for its checksum (the second would fail
      // as a conflict): store the batch first, so the second is found as a duplicate.
      const hash = createHash('sha256')
        .update(data.bytes ?? data.text ?? '')
        .digest('hex');
      if (contents.has(hash)) await flush();
      contents.add(hash);
      batch.push(data);
    }
    processed++;
    pending++;
    if (pending >= batchSize) await flush();
  }
  await flush();
  return summary;
}

function mimeOfPath(path: string): string | undefined {
  const kind = kindFromPath(path);
  return kind ? MIME_BY_KIND[kind] : undefined;
}

async function readContent(
  item: SourceItem,
  maxBytes: number,
): Promise<{ text: string } | { bytes: Uint8Array } | { code: string; message: string }> {
  const tooLarge = (size: number) => ({
    code: 'TOO_LARGE',
    message: `content is ${size} bytes, over the limit of ${maxBytes} (MAX_UPLOAD_BYTES)`,
  });
  if (item.text !== undefined) {
    const size = Buffer.byteLength(item.text, 'utf8');
    return size > maxBytes ? tooLarge(size) : { text: item.text };
  }
  if (item.bytes !== undefined)
    return item.bytes.byteLength > maxBytes
      ? tooLarge(item.bytes.byteLength)
      : { bytes: item.bytes };
  if (item.path === undefined)
    return { code: 'BAD_RECORD', message: 'an item needs one of path, bytes or text' };
  try {
    const size = (await stat(item.path)).size;
    if (size > maxBytes) return tooLarge(size);
    return { bytes: await readFile(item.path) };
  } catch (error) {
    return {
      code: 'READ_FAILED',
      message: `cannot read ${item.path}: ${(error as Error).message}`,
    };
  }
}
