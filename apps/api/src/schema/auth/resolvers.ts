import { authorize, authorizeUnscoped } from '../../auth/principal.ts';
import type { Resolvers } from '../../generated/resolvers-types.ts';
import { createApiKey, revokeApiKey } from '../../services/auth/manage-api-keys.ts';
import { uuid, uuids } from '../ids.ts';
import { payload, query } from '../payload.ts';

export const authResolvers: Resolvers = {
  Query: {
    me: (_, __, { deps, principal }) =>
      query(async () => {
        const p = authorize(principal, 'viewer');
        return deps.repos.apiKeys.findById(p.keyId);
      }),
    apiKeys: (_, __, { deps, principal }) =>
      query(async () => {
        authorizeUnscoped(principal, 'admin');
        return deps.repos.apiKeys.list();
      }),
  },
  Mutation: {
    createApiKey: async (_, { input }, { deps, principal }) => {
      const result = await payload('created', () =>
        createApiKey(deps, principal, {
          role: input.role,
          label: input.label,
          datasetIds: uuids(input.datasetIds, 'dataset', ['input', 'datasetIds']),
        }),
      );
      return {
        apiKey: result.created?.apiKey ?? null,
        secret: result.created?.secret ?? null,
        errors: result.errors,
      };
    },
    revokeApiKey: (_, { id }, { deps, principal }) =>
      payload('apiKey', () => revokeApiKey(deps, principal, uuid(id, 'API key'))),
  },
};
