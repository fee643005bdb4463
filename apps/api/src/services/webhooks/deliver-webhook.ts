/**
 * One delivery attempt: POST the payload with `x-concord-signature: sha256=<hex HMAC of the body>`.
 * Returns whether to retry; the job queue re-runs it with exponential backoff.
 */
import { createHmac } from 'node:crypto';
import type { AppDeps } from '../../context.ts';

export function signPayload(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export async function deliverWebhook(
  deps: Pick<AppDeps, 'repos' | 'env'>,
  deliveryId: string,
): Promise<'delivered' | 'retry' | 'failed'> {
  const delivery = await deps.repos.webhooks.findDelivery(deliveryId);
  if (!delivery || delivery.status !== 'pending') return 'delivered';
  const hook = await deps.repos.webhooks.findById(delivery.webhookId);
  if (!hook) return 'failed';
  const body = JSON.stringify({ id: delivery.id, ...(delivery.payload as object) });
  let responseStatus: number | null = null;
  let error: string | null = null;
  try {
    const response = await fetch(hook.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-concord-event': delivery.event,
        'x-concord-delivery': delivery.id,
        'x-concord-signature': signPayload(hook.secret, body),
      },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    responseStatus = response.status;
    if (!response.ok) error = `HTTP ${response.status}`;
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
  }
  const lastAttempt = delivery.attempts + 1 >= deps.env.WEBHOOK_MAX_ATTEMPTS;
  const status = error === null ? 'delivered' : lastAttempt ? 'failed' : 'pending';
  await deps.repos.webhooks.recordAttempt(delivery.id, { status, responseStatus, error });
  return status === 'pending' ? 'retry' : status;
}
