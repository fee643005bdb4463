import { randomBytes } from 'node:crypto';
import type { Webhook } from '@concord/db';
import { authorize, authorizeFor, type Principal } from '../../auth/principal.ts';
import type { AppDeps } from '../../context.ts';
import { badInput, notFound } from '../../errors.ts';

const EVENTS = new Set(['run.finished', 'run.failed', 'model.promoted']);

export async function createWebhook(
  deps: AppDeps,
  principal: Principal | null,
  input: { url: string; events: string[]; datasetId?: string | null },
): Promise<Webhook> {
  authorizeFor(principal, 'admin', input.datasetId ?? null);
  let url: URL;
  try {
    url = new URL(input.url);
  } catch {
    throw badInput('url is not a URL.', ['input', 'url']);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw badInput('url must be http(s).', ['input', 'url']);
  if (input.events.length === 0 || input.events.some((e) => !EVENTS.has(e))) {
    throw badInput(`events must be among ${[...EVENTS].join(', ')}.`, ['input', 'events']);
  }
  if (input.datasetId && !(await deps.repos.datasets.findById(input.datasetId)))
    throw notFound('dataset', input.datasetId);
  return deps.repos.webhooks.create({
    datasetId: input.datasetId ?? null,
    url: url.toString(),
    secret: randomBytes(24).toString('base64url'),
    events: [...new Set(input.events)],
  });
}

export async function deleteWebhook(
  deps: AppDeps,
  principal: Principal | null,
  id: string,
): Promise<Webhook> {
  authorize(principal, 'admin');
  const hook = await deps.repos.webhooks.findById(id);
  if (!hook) throw notFound('webhook', id);
  authorizeFor(principal, 'admin', hook.datasetId);
  return deps.repos.webhooks.delete(id);
}
