import { authorize } from '../../auth/principal.ts';
import { AppError, badInput } from '../../errors.ts';
import type { IngestItemInput, Resolvers } from '../../generated/resolvers-types.ts';
import { ingestItems, type IngestItemData } from '../../services/items/ingest-items.ts';
import { deleteItem, updateItem } from '../../services/items/manage-items.ts';
import { labelsOf } from '../../loaders.ts';
import { makeThumbnail } from '../../services/items/make-thumbnail.ts';
import { decodeCursor, pageSize, toConnection } from '../connection.ts';
import { uuid, uuids } from '../ids.ts';
import { payload, query } from '../payload.ts';
import { readUpload } from '../uploads.ts';

export const itemResolvers: Resolvers = {
  Query: {
    item: (_, { id }, { principal, loaders }) =>
      query(async () => {
        authorize(principal, 'viewer');
        const item = await loaders.item.load(uuid(id, 'item'));
        if (item) authorize(principal, 'viewer', item.datasetId);
        return item;
      }),
    items: (_, args, { deps, principal }) =>
      query(async () => {
        const datasetId = uuid(args.datasetId, 'dataset');
        authorize(principal, 'viewer', datasetId);
        const page = await deps.repos.items.list({
          datasetId,
          siteIds: uuids(args.filter?.sites, 'site'),
          labelIds: uuids(args.filter?.labels, 'label'),
          modality: args.filter?.modality?.toLowerCase() ?? null,
          status: args.filter?.status ?? null,
          first: pageSize(args.first, deps.env.MAX_PAGE_SIZE),
          afterId: decodeCursor(args.after),
        });
        return toConnection(page);
      }),
  },
  Mutation: {
    ingestItems: async (_, { input }, { deps, principal }) => {
      const result = await payload('outcome', async () => {
        const datasetId = uuid(input.datasetId, 'dataset');
        authorize(principal, 'editor', datasetId);
        const items = await Promise.all(
          input.items.map((item, index) => toItemData(item, index, deps.env.MAX_UPLOAD_BYTES)),
        );
        return ingestItems(deps, principal, {
          datasetId,
          idempotencyKey: input.idempotencyKey ?? null,
          items,
        });
      });
      const outcome = result.outcome;
      return {
        results: outcome?.results ?? [],
        created: outcome?.created ?? 0,
        duplicates: outcome?.duplicates ?? 0,
        failed: outcome?.failed ?? 0,
        errors: result.errors,
      };
    },
    updateItem: (_, { id, input }, { deps, principal }) =>
      payload('item', () =>
        updateItem(deps, principal, uuid(id, 'item'), {
          site: input.site ? uuid(input.site, 'site', ['input', 'site']) : null,
          labels: input.labels ?? null,
          split: input.split ?? null,
          metadata: jsonObject(input.metadata, ['input', 'metadata']),
        }),
      ),
    deleteItem: (_, { id }, { deps, principal }) =>
      payload('item', () => deleteItem(deps, principal, uuid(id, 'item'))),
  },
  IngestItemResult: {
    item: (parent, _, { loaders }) => (parent.itemId ? loaders.item.load(parent.itemId) : null),
  },
  Item: {
    dataset: async (item, _, { loaders }) => (await loaders.dataset.load(item.datasetId))!,
    site: async (item, _, { loaders }) => (await loaders.site.load(item.siteId))!,
    modality: (item) => (item.modality === 'image' ? 'IMAGE' : 'TEXT'),
    labels: (item, _, { loaders }) => labelsOf(loaders, item.id),
    metadata: (item) => item.metadata,
    snippet: (item, { length }) => {
      if (item.text === null) return null;
      const n = Math.max(1, Math.min(length ?? 200, 2000));
      return item.text.length > n ? `${item.text.slice(0, n - 1)}…` : item.text;
    },
    thumbnail: async (item, { size }, { deps }) =>
      item.modality === 'image' ? makeThumbnail(deps, item.id, size ?? 96) : null,
  },
};

async function toItemData(
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
      throw badInput(`Item ${index}: give exactly one of text, base64 or file.`, field('file'));
    bytes = await readUpload(item.file, maxBytes, field('file'));
  }
  return {
    key: item.key ?? null,
    site: item.site,
    labels: item.labels,
    modality: item.modality ?? null,
    text: item.text ?? null,
    bytes,
    mimeType: item.mimeType ?? null,
    split: item.split ?? null,
    metadata: jsonObject(item.metadata, field('metadata')),
  };
}

/** A JSON metadata argument: null, or an object whose text PostgreSQL's jsonb can hold. */
function jsonObject(value: unknown, field: string[]): Record<string, unknown> | null {
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
