import type { Resolvers } from '../../generated/resolvers-types.ts';
import { getRecord, type RecordContent } from '../../services/records/get-record.ts';
import type { Context } from '../../context.ts';
import { uuid } from '../ids.ts';
import { query } from '../payload.ts';

async function contentOf(
  parent: { datasetId: string; key: string },
  { loaders }: Context,
): Promise<RecordContent> {
  const content = await loaders.record.load(parent);
  if (!content) throw new Error(`record ${parent.key} vanished`);
  return content;
}

export const recordResolvers: Resolvers = {
  Query: {
    record: (_, { datasetId, key }, { deps, principal }) =>
      query(() => getRecord(deps, principal, uuid(datasetId, 'dataset'), key)),
  },
  Item: {
    record: (item) =>
      item.recordKey === null ? null : { datasetId: item.datasetId, key: item.recordKey },
  },
  ItemRecord: {
    dataset: async (record, _, { loaders }) => (await loaders.dataset.load(record.datasetId))!,
    itemCount: async (record, _, context) => (await contentOf(record, context)).itemCount,
    createdAt: async (record, _, context) => (await contentOf(record, context)).createdAt,
    items: async (record, _, context) => (await contentOf(record, context)).items,
  },
};
