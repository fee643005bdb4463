/**
 * Adds a batch of items: validates the whole request first (nothing is written for a bad one),
 * honours an idempotency key, runs every item through the content pipeline and stores each with
 * its own outcome — created, duplicate (same content already there) or failed with a code.
 */
import { createHash } from 'node:crypto';
import type { ItemSplit, ItemSummary, Site } from '@concord/db';
import { isDbError } from '@concord/db';
import type { SourceItem } from '@concord/features';
import { authorize, type Principal } from '../../auth/principal.ts';
import type { AppDeps } from '../../context.ts';
import { AppError, badInput, notFound } from '../../errors.ts';
import { checkLabelName } from '../datasets/manage-labels.ts';
import { checkThresholdPolicy } from '../training/check-threshold-policy.ts';

export interface IngestItemData {
  key?: string | null;
  site: string;
  labels: string[];
  modality?: 'IMAGE' | 'TEXT' | null;
  text?: string | null;
  bytes?: Uint8Array | null;
  mimeType?: string | null;
  split?: ItemSplit | null;
  metadata?: Record<string, unknown> | null;
}

export interface IngestItemOutcome {
  index: number;
  key: string | null;
  status: 'CREATED' | 'DUPLICATE' | 'FAILED';
  itemId: string | null;
  errorCode: string | null;
  error: string | null;
}

export interface IngestOutcome {
  results: IngestItemOutcome[];
  created: number;
  duplicates: number;
  failed: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function ingestItems(
  deps: AppDeps,
  principal: Principal | null,
  input: { datasetId: string; idempotencyKey?: string | null; items: IngestItemData[] },
): Promise<IngestOutcome> {
  authorize(principal, 'editor', input.datasetId);
  const { repos, env } = deps;
  const dataset = await repos.datasets.findById(input.datasetId);
  if (!dataset) throw notFound('dataset', input.datasetId);
  if (input.items.length < 1 || input.items.length > env.MAX_INGEST_BATCH) {
    throw badInput(`A batch holds 1..${env.MAX_INGEST_BATCH} items.`, ['input', 'items']);
  }
  const sites = await repos.datasets.listSites(dataset.id);
  const prepared = input.items.map((item, index) =>
    validateItem(item, index, sites, dataset.modalities, env.MAX_UPLOAD_BYTES),
  );

  const key = input.idempotencyKey?.trim() || null;
  const requestHash = hashRequest(prepared);
  if (key) {
    const previous = await repos.ingestions.find(dataset.id, key);
    if (previous) {
      if (previous.requestHash !== requestHash) {
        throw new AppError('CONFLICT', 'This idempotency key was used for a different request.', [
          'input',
          'idempotencyKey',
        ]);
      }
      return previous.result as unknown as IngestOutcome;
    }
  }

  // Labels are created with the first item that is: a batch whose items all fail writes nothing.
  let labelIdByName: Map<string, string> | null = null;
  const labelIdsOf = async (names: string[]) => {
    labelIdByName ??= new Map(
      (
        await repos.datasets.ensureLabels(dataset.id, [
          ...new Set(prepared.flatMap((p) => p.labels)),
        ])
      ).map((label) => [label.name, label.id]),
    );
    return names.map((name) => labelIdByName!.get(name)!);
  };

  const results: IngestItemOutcome[] = [];
  const sources: SourceItem[] = prepared.map((p) => p.source);
  const isKnown = async (checksum: string, modality: 'image' | 'text') =>
    (await repos.items.findByChecksum(dataset.id, modality, checksum)) !== null;
  for await (const result of deps.featurisers.run(sources, isKnown)) {
    const p = prepared[Number(result.item.key)]!;
    const base = { index: p.index, key: p.key, itemId: null, errorCode: null, error: null };
    if (result.status === 'failed') {
      results.push({
        ...base,
        status: 'FAILED',
        errorCode: result.error.code,
        error: result.error.message,
      });
      continue;
    }
    if (result.status === 'known') {
      const existing = await repos.items.findByChecksum(
        dataset.id,
        result.modality,
        result.checksum,
      );
      results.push({ ...base, status: 'DUPLICATE', itemId: existing?.id ?? null });
      continue;
    }
    if (!dataset.modalities.includes(result.modality)) {
      results.push({
        ...base,
        status: 'FAILED',
        errorCode: 'TYPE_MISMATCH',
        error: `This dataset holds no ${result.modality} items.`,
      });
      continue;
    }
    try {
      const item: ItemSummary = await repos.items.create({
        datasetId: dataset.id,
        siteId: p.siteId,
        modality: result.modality,
        externalKey: p.key,
        content: result.modality === 'image' ? result.content : null,
        text: result.text ?? null,
        mimeType: result.mime,
        sizeBytes: result.size,
        checksum: result.checksum,
        metadata: { ...result.metadata, ...(p.metadata ?? {}) },
        split: p.split ?? splitOf(result.checksum),
        status: 'READY',
        error: null,
        labelIds: await labelIdsOf(p.labels),
        features:
          result.modality === 'image'
            ? {
                featuriserId: result.featuriserId,
                featuriserVersion: result.featuriserVersion,
                values: result.features,
              }
            : null,
      });
      results.push({ ...base, status: 'CREATED', itemId: item.id });
    } catch (error) {
      if (!isDbError(error) || error.code !== 'CONFLICT') throw error;
      results.push({
        ...base,
        status: 'FAILED',
        errorCode: 'CONFLICT',
        error: `An item with key ${JSON.stringify(p.key)} or the same content already exists.`,
      });
    }
  }
  results.sort((a, b) => a.index - b.index);
  const outcome: IngestOutcome = {
    results,
    created: results.filter((r) => r.status === 'CREATED').length,
    duplicates: results.filter((r) => r.status === 'DUPLICATE').length,
    failed: results.filter((r) => r.status === 'FAILED').length,
  };
  if (key) await repos.ingestions.save(dataset.id, key, requestHash, outcome);
  if (outcome.created > 0) await checkThresholdPolicy(deps, dataset.id);
  return outcome;
}

interface PreparedItem {
  index: number;
  key: string | null;
  siteId: string;
  labels: string[];
  split: ItemSplit | null;
  metadata: Record<string, unknown> | null;
  source: SourceItem;
  contentHash: string;
}

function validateItem(
  item: IngestItemData,
  index: number,
  sites: Site[],
  modalities: string[],
  maxBytes: number,
): PreparedItem {
  const field = (name: string) => ['input', 'items', String(index), name];
  const given = [item.text, item.bytes].filter((x) => x != null).length;
  if (given !== 1)
    throw badInput(`Item ${index}: give exactly one of text, base64 or file.`, field('text'));
  const site = sites.find(
    (s) => s.name === item.site || (UUID.test(item.site) && s.id === item.site),
  );
  if (!site)
    throw new AppError(
      'NOT_FOUND',
      `Item ${index}: unknown site ${JSON.stringify(item.site)}.`,
      field('site'),
    );
  if (item.labels.length < 1 || item.labels.length > 50)
    throw badInput(`Item ${index}: give 1..50 labels.`, field('labels'));
  const labels = item.labels.map((name) => checkLabelName(name, field('labels')));
  const modality = item.modality?.toLowerCase() as 'image' | 'text' | undefined;
  if (modality && !modalities.includes(modality))
    throw badInput(`Item ${index}: this dataset holds no ${modality} items.`, field('modality'));
  const size = item.bytes?.byteLength ?? Buffer.byteLength(item.text ?? '', 'utf8');
  if (size > maxBytes)
    throw new AppError(
      'PAYLOAD_TOO_LARGE',
      `Item ${index} is ${size} bytes; the limit is ${maxBytes}.`,
      field(item.bytes ? 'base64' : 'text'),
    );
  const key = item.key?.trim() || null;
  const source: SourceItem = {
    key: String(index),
    labels,
    ...(item.text != null ? { text: item.text } : { bytes: item.bytes! }),
    ...(modality ? { modality } : {}),
    ...(item.mimeType ? { mime: item.mimeType } : {}),
  };
  const contentHash = createHash('sha256')
    .update(item.bytes ?? Buffer.from(item.text ?? '', 'utf8'))
    .digest('hex');
  return {
    index,
    key,
    siteId: site.id,
    labels,
    split: item.split ?? null,
    metadata: item.metadata ?? null,
    source,
    contentHash,
  };
}

function hashRequest(items: PreparedItem[]): string {
  const canonical = items.map((p) => [
    p.key,
    p.siteId,
    p.labels,
    p.split,
    p.metadata,
    p.source.modality ?? null,
    p.contentHash,
  ]);
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

/** Deterministic 80/10/10 split from the content checksum, so re-ingesting keeps the split. */
export function splitOf(checksum: string): ItemSplit {
  const bucket = parseInt(checksum.slice(0, 8), 16) % 10;
  return bucket === 0 ? 'TEST' : bucket === 1 ? 'VALIDATION' : 'TRAIN';
}
