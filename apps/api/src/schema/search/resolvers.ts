import { authorize } from '../../auth/principal.ts';
import type { Resolvers } from '../../generated/resolvers-types.ts';
import { labelsOf } from '../../loaders.ts';
import { search } from '../../services/search/search.ts';
import { DEFAULT_PAGE_SIZE } from '../connection.ts';
import { uuid, uuids } from '../ids.ts';
import { query } from '../payload.ts';
import { readUpload } from '../uploads.ts';
import { AppError, badInput } from '../../errors.ts';

export const searchResolvers: Resolvers = {
  Query: {
    search: (_, args, { deps, principal }) =>
      query(async () => {
        const datasetId = uuid(args.datasetId, 'dataset');
        authorize(principal, 'viewer', datasetId);
        const q = args.query;
        let image: Uint8Array | null = null;
        if (q.image != null) {
          if (Math.floor((q.image.length * 3) / 4) > deps.env.MAX_UPLOAD_BYTES + 3) {
            throw new AppError(
              'PAYLOAD_TOO_LARGE',
              `The query image is larger than ${deps.env.MAX_UPLOAD_BYTES} bytes.`,
              ['query', 'image'],
            );
          }
          const clean = q.image.replace(/^data:[^,]*,/, '');
          if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(clean))
            throw badInput('query.image is not base64.', ['query', 'image']);
          image = Buffer.from(clean, 'base64');
        }
        if (q.file != null) {
          if (image)
            throw badInput('Give exactly one of text, image, file, itemId, vector or features.', [
              'query',
            ]);
          image = await readUpload(q.file, deps.env.MAX_UPLOAD_BYTES, ['query', 'file']);
        }
        const result = await search(deps, principal, {
          datasetId,
          query: {
            text: q.text ?? null,
            image,
            itemId: q.itemId != null ? uuid(q.itemId, 'item', ['query', 'itemId']) : null,
            vector: q.vector ?? null,
            features: q.features ?? null,
            featuresModality: q.featuresModality
              ? (q.featuresModality.toLowerCase() as 'image' | 'text')
              : null,
          },
          targetModality: args.targetModality
            ? (args.targetModality.toLowerCase() as 'image' | 'text')
            : null,
          siteIds: uuids(args.filters?.sites, 'site', ['filters', 'sites']),
          labelIds: uuids(args.filters?.labels, 'label', ['filters', 'labels']),
          first: args.first ?? DEFAULT_PAGE_SIZE,
          after: args.after ?? null,
          mode: args.mode === 'EXACT' ? 'exact' : 'approximate',
          modelId: args.modelId ? uuid(args.modelId, 'model') : null,
        });
        return result;
      }),
  },
  SearchConnection: {
    edges: (result) => result.hits.map((hit) => ({ cursor: hit.cursor, node: hit })),
    pageInfo: (result) => ({ hasNextPage: result.hasNextPage, endCursor: result.endCursor }),
    totalCount: (result) => result.countRanked(),
  },
  SearchHit: {
    item: async (hit, _, { loaders }) => (await loaders.item.load(hit.itemId))!,
    site: async (hit, _, { loaders }) => (await loaders.site.load(hit.siteId))!,
    labels: (hit, _, { loaders }) => labelsOf(loaders, hit.itemId),
    model: async (hit, _, { loaders }) => (await loaders.model.load(hit.modelId))!,
  },
};
