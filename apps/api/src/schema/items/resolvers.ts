import { authorize } from '../../auth/principal.ts';
import type { Resolvers } from '../../generated/resolvers-types.ts';
import { ingestItems } from '../../services/items/ingest-items.ts';
import { deleteItem, updateItem } from '../../services/items/manage-items.ts';
import { labelsOf } from '../../loaders.ts';
import { makeThumbnail } from '../../services/items/make-thumbnail.ts';
import { decodeCursor, pageSize, toConnection } from '../connection.ts';
import { uuid, uuids } from '../ids.ts';
import { payload, query } from '../payload.ts';
import { jsonObject, toItemData } from './item-input.ts';
import { readable } from '../reads.ts';

export const itemResolvers: Resolvers = {
  Query: {
    item: (_, { id }, { principal, loaders }) =>
      query(() => readable(principal, () => loaders.item.load(uuid(id, 'item')))),
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
          createLabels: input.createLabels ?? false,
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
  ItemEmbedding: {
    model: async (ref, _, { loaders }) => (await loaders.model.load(ref.modelId))!,
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
    embedded: async (item, _, { loaders }) => {
      const dataset = await loaders.dataset.load(item.datasetId);
      const active = dataset?.activeModelId;
      if (!active) return false;
      return (await loaders.itemEmbeddings.load(item.id)).some((e) => e.modelId === active);
    },
    embeddings: (item, _, { loaders }) => loaders.itemEmbeddings.load(item.id),
    featureVectors: (item, _, { loaders }) => loaders.itemFeatureVectors.load(item.id),
    thumbnail: async (item, { size }, { deps }) =>
      item.modality === 'image' ? makeThumbnail(deps, item.id, size ?? 96) : null,
  },
};
