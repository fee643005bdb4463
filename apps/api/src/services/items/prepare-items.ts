/**
 * What every ingestion path shares before anything is written: each item checked against the
 * dataset (one of text, bytes or vector, a known site, 1..50 valid labels, a modality the dataset
 * holds, the size limit; a vector only for an imported modality and raw content only for one
 * that is not), turned into the content pipeline's `SourceItem`, and the request hashed for
 * idempotency keys. A bad item throws a typed error naming its field.
 */
import { createHash } from 'node:crypto';
import type { BulkIngestionItem, ItemSplit, Site, StagedItem } from '@concord/db';
import { vectorBytes, vectorFromBytes, type SourceItem } from '@concord/features';
import { AppError, badInput } from '../../errors.ts';
import {
  checkImportedVector,
  importedFeaturesOf,
  VECTOR_MIME,
  type DatasetModality,
} from '../datasets/imported-features.ts';
import { checkLabelName } from '../datasets/manage-labels.ts';
import { checkRecordKey } from './record-key.ts';

export interface IngestItemData {
  key?: string | null;
  /** The caller's record: items that belong together share it. */
  record?: string | null;
  site: string;
  labels: string[];
  modality?: 'IMAGE' | 'TEXT' | null;
  text?: string | null;
  bytes?: Uint8Array | null;
  /** Features from the team's own encoder, for a modality the dataset imports. */
  vector?: readonly number[] | Float32Array | null;
  mimeType?: string | null;
  split?: ItemSplit | null;
  metadata?: Record<string, unknown> | null;
}

export interface PreparedItem {
  index: number;
  key: string | null;
  record: string | null;
  siteId: string;
  labels: string[];
  split: ItemSplit | null;
  metadata: Record<string, unknown> | null;
  /**
   * The pipeline's input; its `key` is the item's index in the request. For an imported vector
   * it holds the vector's float32 bytes (hashed and staged as such) and skips the pipeline.
   */
  source: SourceItem;
  /** An imported vector, checked against the dataset's dimension; null for raw content. */
  vector: Float32Array | null;
}

/** What prepareItem needs of the dataset. */
export interface DatasetShape {
  modalities: string[];
  featurisers: unknown;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function prepareItem(
  item: IngestItemData,
  index: number,
  sites: Site[],
  dataset: DatasetShape,
  maxBytes: number,
): PreparedItem {
  const { modalities } = dataset;
  const field = (name: string) => ['input', 'items', String(index), name];
  const given = [item.text, item.bytes, item.vector].filter((x) => x != null).length;
  if (given !== 1)
    throw badInput(
      `Item ${index}: give exactly one of text, base64, file or vector.`,
      field('text'),
    );
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
  const imported = importedFeaturesOf(dataset);
  const common = {
    index,
    key: item.key?.trim() || null,
    record: checkRecordKey(item.record, field('record'), `Item ${index}: a record key`),
    siteId: site.id,
    labels,
    split: item.split ?? null,
    metadata: item.metadata ?? null,
  };
  if (item.vector != null) {
    const target = modality ?? (imported.size === 1 ? [...imported.keys()][0] : undefined);
    const features = target ? imported.get(target) : undefined;
    if (!target || !features)
      throw badInput(
        target
          ? `Item ${index}: this dataset's ${target} features are not imported; give text, base64 or file.`
          : `Item ${index}: give the modality of the vector.`,
        field(target ? 'vector' : 'modality'),
      );
    const vector = checkImportedVector(item.vector, features, field('vector'), `Item ${index}`);
    return {
      ...common,
      source: {
        key: String(index),
        labels,
        bytes: vectorBytes(vector),
        modality: target,
        mime: VECTOR_MIME,
      },
      vector,
    };
  }
  const rawTarget: DatasetModality | undefined =
    modality ?? (item.text != null ? 'text' : imported.has('image') ? 'image' : undefined);
  if (rawTarget && imported.has(rawTarget))
    throw badInput(
      `Item ${index}: this dataset's ${rawTarget} features are imported (${imported.get(rawTarget)!.id}); give vector, not raw content.`,
      field(item.text != null ? 'text' : 'base64'),
    );
  // The marker of a staged vector: raw content must not pass for one.
  if (item.mimeType === VECTOR_MIME)
    throw badInput(
      `Item ${index}: the mime type ${VECTOR_MIME} is for vectors.`,
      field('mimeType'),
    );
  const size = contentBytes(item);
  if (size > maxBytes)
    throw new AppError(
      'PAYLOAD_TOO_LARGE',
      `Item ${index} is ${size} bytes; the limit is ${maxBytes}.`,
      field(item.bytes ? 'base64' : 'text'),
    );
  return {
    ...common,
    source: {
      key: String(index),
      labels,
      ...(item.text != null ? { text: item.text } : { bytes: item.bytes! }),
      ...(modality ? { modality } : {}),
      ...(item.mimeType ? { mime: item.mimeType } : {}),
    },
    vector: null,
  };
}

/** Bytes of an item's content (UTF-8 for a text, 4 per component of a vector). */
export function contentBytes(item: {
  text?: string | null;
  bytes?: Uint8Array | null;
  vector?: readonly number[] | Float32Array | null;
}): number {
  if (item.vector != null) return item.vector.length * 4;
  return item.bytes?.byteLength ?? Buffer.byteLength(item.text ?? '', 'utf8');
}

/** SHA-256 over everything that makes two requests the same request. */
export function hashRequest(items: PreparedItem[]): string {
  const canonical = items.map((p) => [
    p.key,
    p.siteId,
    p.labels,
    p.split,
    p.metadata,
    p.source.modality ?? null,
    createHash('sha256')
      .update(p.source.bytes ?? Buffer.from(p.source.text ?? '', 'utf8'))
      .digest('hex'),
    // Only when given, so requests without records hash as they did before records existed.
    ...(p.record !== null ? [{ record: p.record }] : []),
  ]);
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

/** A prepared item as a bulk ingestion stages it. */
export function toStaged(p: PreparedItem): StagedItem {
  return {
    index: p.index,
    key: p.key,
    recordKey: p.record,
    siteId: p.siteId,
    labels: p.labels,
    modality: p.source.modality ?? null,
    mimeType: p.source.mime ?? null,
    split: p.split,
    metadata: p.metadata,
    text: p.source.text ?? null,
    content: p.source.bytes ?? null,
  };
}

/**
 * A staged row back as the prepared item it was (validated when the ingestion was started). An
 * imported vector is staged as its float32 bytes in `content` with the mime type VECTOR_MIME.
 */
export function fromStaged(row: BulkIngestionItem): PreparedItem {
  const modality = row.modality === 'image' || row.modality === 'text' ? row.modality : null;
  const vector = row.mimeType === VECTOR_MIME && row.content ? vectorFromBytes(row.content) : null;
  return {
    vector,
    index: row.index,
    key: row.key,
    record: row.recordKey,
    siteId: row.siteId,
    labels: row.labels,
    split: row.split,
    metadata: (row.metadata as Record<string, unknown> | null) ?? null,
    source: {
      key: String(row.index),
      labels: row.labels,
      ...(row.text != null ? { text: row.text } : { bytes: row.content ?? new Uint8Array(0) }),
      ...(modality ? { modality } : {}),
      ...(row.mimeType ? { mime: row.mimeType } : {}),
    },
  };
}
