/** The executable schema: every domain's SDL and resolvers. */
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { Resolvers } from '../generated/resolvers-types.ts';
import { authResolvers } from './auth/resolvers.ts';
import { commonResolvers } from './common/resolvers.ts';
import { datasetResolvers } from './datasets/resolvers.ts';
import { bulkIngestionResolvers } from './items/bulk-resolvers.ts';
import { itemResolvers } from './items/resolvers.ts';
import { modelResolvers } from './models/resolvers.ts';
import { recordResolvers } from './records/resolvers.ts';
import { searchResolvers } from './search/resolvers.ts';
import { trainingResolvers } from './training/resolvers.ts';
import { loadTypeDefs } from './type-defs.ts';
import { webhookResolvers } from './webhooks/resolvers.ts';

export const resolvers: Resolvers[] = [
  commonResolvers,
  datasetResolvers,
  itemResolvers,
  bulkIngestionResolvers,
  recordResolvers,
  modelResolvers,
  trainingResolvers,
  searchResolvers,
  authResolvers,
  webhookResolvers,
];

export function buildSchema() {
  return makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers: resolvers as never });
}
