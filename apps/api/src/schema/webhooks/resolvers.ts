import { authorize, canSee } from '../../auth/principal.ts';
import type { Resolvers } from '../../generated/resolvers-types.ts';
import { createWebhook, deleteWebhook } from '../../services/webhooks/manage-webhooks.ts';
import { uuid } from '../ids.ts';
import { payload, query } from '../payload.ts';

export const webhookResolvers: Resolvers = {
  Query: {
    webhooks: (_, __, { deps, principal }) =>
      query(async () => {
        const p = authorize(principal, 'admin');
        // A dataset-scoped key sees its datasets' webhooks, not those of every dataset.
        return (await deps.repos.webhooks.list()).filter((hook) =>
          hook.datasetId ? canSee(p, hook.datasetId) : !p.datasetIds,
        );
      }),
  },
  Mutation: {
    createWebhook: (_, { input }, { deps, principal }) =>
      payload('webhook', () =>
        createWebhook(deps, principal, {
          url: input.url,
          events: input.events,
          datasetId: input.datasetId
            ? uuid(input.datasetId, 'dataset', ['input', 'datasetId'])
            : null,
        }),
      ),
    deleteWebhook: (_, { id }, { deps, principal }) =>
      payload('webhook', () => deleteWebhook(deps, principal, uuid(id, 'webhook'))),
  },
  Webhook: {
    deliveries: (hook, _, { deps }) => deps.repos.webhooks.deliveries(hook.id),
  },
  WebhookDelivery: {
    payload: (delivery) => delivery.payload,
  },
};
