import type { AppDeps } from '../../context.ts';

export type WebhookEvent = 'run.finished' | 'run.failed' | 'model.promoted';

/** Records one delivery per subscribed webhook and queues it; delivery retries with backoff. */
export async function emitEvent(
  deps: Pick<AppDeps, 'repos' | 'queue'>,
  datasetId: string,
  event: WebhookEvent,
  data: Record<string, unknown>,
): Promise<number> {
  const hooks = await deps.repos.webhooks.subscribers(datasetId, event);
  const payload = { event, datasetId, at: new Date().toISOString(), data };
  for (const hook of hooks) {
    const delivery = await deps.repos.webhooks.createDelivery(hook.id, event, payload);
    await deps.queue.enqueueWebhook(delivery.id);
  }
  return hooks.length;
}
