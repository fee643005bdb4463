/** Bulk ingestions: start (staged, run as a job), read with per-item results, cancel. */
import { authorize } from '../../auth/principal.ts';
import { AppError, badInput } from '../../errors.ts';
import type { Resolvers } from '../../generated/resolvers-types.ts';
import { cancelBulkIngestion } from '../../services/items/cancel-bulk-ingestion.ts';
import type { IngestItemData } from '../../services/items/prepare-items.ts';
import { startBulkIngestion } from '../../services/items/start-bulk-ingestion.ts';
import { watchBulkIngestion } from '../../services/items/watch-bulk-ingestion.ts';
import { pageSize } from '../connection.ts';
import { uuid } from '../ids.ts';
import { payload, query } from '../payload.ts';
import { toItemData } from './item-input.ts';
import { datasetConnection, readable } from '../reads.ts';

const RESULT_CURSOR = /^bulk-item:(\d{1,9})$/;

export const bulkIngestionResolvers: Resolvers = {
  Query: {
    bulkIngestion: (_, { id }, { deps, principal }) =>
      query(() =>
        readable(principal, () => deps.repos.bulkIngestions.findById(uuid(id, 'bulk ingestion'))),
      ),
    bulkIngestions: (_, args, ctx) =>
      query(() =>
        datasetConnection(ctx, args, (datasetId, page) =>
          ctx.deps.repos.bulkIngestions.list(datasetId, page),
        ),
      ),
  },
  Mutation: {
    startBulkIngestion: (_, { input }, { deps, principal }) =>
      payload('ingestion', async () => {
        const datasetId = uuid(input.datasetId, 'dataset');
        authorize(principal, 'editor', datasetId);
        const { MAX_BULK_INGEST_ITEMS: maxItems, MAX_BULK_INGEST_BYTES: maxBytes } = deps.env;
        if (input.items.length > maxItems)
          throw badInput(`A bulk ingestion holds 1..${maxItems} items.`, ['input', 'items']);
        // One item at a time, so the total's limit stops reading uploads early.
        const items: IngestItemData[] = [];
        let total = 0;
        for (const [index, item] of input.items.entries()) {
          const data = await toItemData(item, index, deps.env.MAX_UPLOAD_BYTES);
          total += data.bytes?.byteLength ?? 0;
          if (total > maxBytes)
            throw new AppError(
              'PAYLOAD_TOO_LARGE',
              `The items hold more than ${maxBytes} bytes together.`,
              ['input', 'items'],
            );
          items.push(data);
        }
        return startBulkIngestion(deps, principal, {
          datasetId,
          idempotencyKey: input.idempotencyKey ?? null,
          createLabels: input.createLabels ?? false,
          items,
        });
      }),
    cancelBulkIngestion: (_, { id }, { deps, principal }) =>
      payload('ingestion', () => cancelBulkIngestion(deps, principal, uuid(id, 'bulk ingestion'))),
  },
  Subscription: {
    bulkIngestionProgress: {
      subscribe: (_, { id }, { deps, principal }) =>
        watchBulkIngestion(deps, principal, uuid(id, 'bulk ingestion')),
      resolve: (ingestion: unknown) => ingestion as never,
    },
  },
  BulkIngestion: {
    dataset: async (ingestion, _, { loaders }) =>
      (await loaders.dataset.load(ingestion.datasetId))!,
    results: (ingestion, args, { deps }) =>
      query(async () => {
        const page = await deps.repos.bulkIngestions.results(ingestion.id, {
          first: pageSize(args.first, deps.env.MAX_PAGE_SIZE),
          afterIndex: decodeResultCursor(args.after),
          status: args.status ?? null,
        });
        const edges = page.rows.map((node) => ({ cursor: encodeResultCursor(node.index), node }));
        return {
          edges,
          pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
          totalCount: page.totalCount,
        };
      }),
  },
  BulkItemResult: {
    item: (row, _, { loaders }) => (row.itemId ? loaders.item.load(row.itemId) : null),
  },
};

function encodeResultCursor(index: number): string {
  return Buffer.from(`bulk-item:${index}`, 'utf8').toString('base64url');
}

function decodeResultCursor(after: string | null | undefined): number | null {
  if (!after) return null;
  const match = RESULT_CURSOR.exec(Buffer.from(after, 'base64url').toString('utf8'));
  if (!match) throw badInput('The `after` cursor is malformed.', ['after']);
  return Number(match[1]);
}
