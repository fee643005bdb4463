import { authorize } from '../../auth/principal.ts';
import type { Resolvers } from '../../generated/resolvers-types.ts';
import { createWebhook, deleteWebhook } from '../../services/webhooks/manage-webhooks.ts';
import { uuid } from '../ids.ts';
import { payload, query } from '../payload.ts';

export const webhookResolvers: Resolvers = {
  Query: {
    webhooks: (_, __, { deps, principal }) =>
      query(async () => {
        authorize(principal, 'admin');
        return deps.repos.webhooks.list();
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
