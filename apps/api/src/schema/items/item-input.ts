/** `IngestItemInput` (shared by ingestItems and startBulkIngestion) as the services take it. */
import { AppError, badInput } from '../../errors.ts';
import type { IngestItemInput } from '../../generated/resolvers-types.ts';
import type { IngestItemData } from '../../services/items/prepare-items.ts';
import { readUpload } from '../uploads.ts';

export async function toItemData(
  item: IngestItemInput,
  index: number,
  maxBytes: number,
): Promise<IngestItemData> {
  const field = (name: string) => ['input', 'items', String(index), name];
  let bytes: Uint8Array | null = null;
  if (item.base64 != null) {
    // Check the size before decoding: 4 base64 characters carry 3 bytes.
    if (Math.floor((item.base64.length * 3) / 4) > maxBytes + 3) {
      throw new AppError(
        'PAYLOAD_TOO_LARGE',
        `Item ${index} is larger than ${maxBytes} bytes.`,
        field('base64'),
      );
    }
    const clean = item.base64.replace(/^data:[^,]*,/, '');
    if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(clean))
      throw badInput(`Item ${index}: base64 is malformed.`, field('base64'));
    bytes = Buffer.from(clean, 'base64');
  }
  if (item.file != null) {
    if (bytes)
      throw badInput(
        `Item ${index}: give exactly one of text, base64, file or vector.`,
        field('file'),
      );
    bytes = await readUpload(item.file, maxBytes, field('file'));
  }
  return {
    key: item.key ?? null,
    record: item.record ?? null,
    site: item.site,
    labels: item.labels,
    modality: item.modality ?? null,
    text: item.text ?? null,
    bytes,
    vector: item.vector ?? null,
    mimeType: item.mimeType ?? null,
    split: item.split ?? null,
    metadata: jsonObject(item.metadata, field('metadata')),
  };
}

/** A JSON metadata argument: null, or an object whose text PostgreSQL's jsonb can hold. */
export function jsonObject(value: unknown, field: string[]): Record<string, unknown> | null {
  if (value == null) return null;
  if (typeof value !== 'object' || Array.isArray(value))
    throw badInput('metadata must be a JSON object.', field);
  if (!storable(value))
    throw badInput('metadata holds a NUL character or an unpaired surrogate.', field);
  return value as Record<string, unknown>;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function storable(value: unknown): boolean {
  if (typeof value === 'string') return !value.includes('\u0000') && !LONE_SURROGATE.test(value);
  if (Array.isArray(value)) return value.every(storable);
  if (value && typeof value === 'object')
    return Object.entries(value).every(([k, v]) => storable(k) && storable(v));
  return true;
}
