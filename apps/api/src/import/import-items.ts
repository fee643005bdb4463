/**
 * Imports content (files, inline texts) into a dataset through the API's own ingestion service
 * (`ingestItems`): the same validation, content pipeline, identity by key and storage as the
 * GraphQL `ingestItems` mutation, fed in small batches. An item the service would refuse for the
 * whole batch (no label, unknown site, an unknown label without `createLabels`, too large,
 * unreadable file) fails alone with a code here, and the rest goes on. Used by the `import` CLI
 * and by the demo corpus seeding.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { kindFromPath, MIME_BY_KIND, type SourceItem } from '@concord/features';
import type { Principal } from '../auth/principal.ts';
import type { AppDeps } from '../context.ts';
import {
  ImportRun,
  type ImportEntry,
  type BatchOptions,
  type ImportSummary,
} from './import-run.ts';

/** The principal of in-process tools (import CLI, demo seeding): an unscoped admin. */
export const SYSTEM_PRINCIPAL: Principal = { keyId: 'system', role: 'admin', datasetIds: null };

/** Items per `ingestItems` call: small, so the API stays responsive between batches. */
export const DEFAULT_IMPORT_BATCH = 16;

export interface ImportArgs extends BatchOptions {
  datasetId: string;
  /** Site of items that name none. */
  defaultSite?: string;
  /** Labels of items that have none. */
  defaultLabels?: string[];
  /** Create the sites items name that the dataset lacks (default true); else they fail. */
  createSites?: boolean;
}

export type { ImportCounts, ImportError, ImportProgress, ImportSummary } from './import-run.ts';

export async function importItems(
  deps: AppDeps,
  principal: Principal,
  items: Iterable<SourceItem> | AsyncIterable<SourceItem>,
  args: ImportArgs,
): Promise<ImportSummary> {
  const run = await ImportRun.open(deps, principal, args.datasetId, args.createLabels);
  const { dataset } = run;
  const prepare = async (item: SourceItem): Promise<ImportEntry | null> => {
    const ref = { key: item.key };
    if (item.error) return run.fail(ref, item.error);
    const labels = run.labels(item.labels, args.defaultLabels);
    if (!Array.isArray(labels)) return run.fail(ref, labels);
    const site = await run.site(item.site ?? args.defaultSite, args.createSites !== false);
    if (typeof site !== 'string') return run.fail(ref, site);
    if (item.modality && !dataset.modalities.includes(item.modality))
      return run.fail(ref, {
        code: 'TYPE_MISMATCH',
        message: `the dataset holds no ${item.modality} items`,
      });
    const content = await readContent(item, deps.env.MAX_UPLOAD_BYTES);
    if ('code' in content) return run.fail(ref, content);
    const mime = item.mime ?? (item.path ? mimeOfPath(item.path) : undefined);
    return {
      ...ref,
      checksum: createHash('sha256')
        .update('bytes' in content ? content.bytes : content.text)
        .digest('hex'),
      data: {
        // A manifest row without an id is keyless: its `row-N` only names it in the report.
        key: item.keyless ? null : item.key,
        ...(item.record !== undefined ? { record: item.record } : {}),
        site,
        labels,
        ...content,
        ...(item.modality ? { modality: item.modality === 'image' ? 'IMAGE' : 'TEXT' } : {}),
        ...(mime ? { mimeType: mime } : {}),
        ...(item.metadata ? { metadata: item.metadata } : {}),
      },
    };
  };
  return run.run(items, prepare, args, DEFAULT_IMPORT_BATCH);
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
