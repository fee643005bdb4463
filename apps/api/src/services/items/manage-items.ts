/** Item use-cases besides ingestion: relabel / move / re-split, and delete. */
import type { ItemSplit, ItemSummary } from '@concord/db';
import { authorize, type Principal } from '../../auth/principal.ts';
import type { AppDeps } from '../../context.ts';
import { notFound } from '../../errors.ts';
import { checkLabelName } from '../datasets/manage-labels.ts';

export async function updateItem(
  deps: AppDeps,
  principal: Principal | null,
  id: string,
  input: {
    site?: string | null;
    labels?: string[] | null;
    split?: ItemSplit | null;
    metadata?: Record<string, unknown> | null;
  },
): Promise<ItemSummary> {
  const item = await deps.repos.items.findById(id);
  authorize(principal, 'editor', item?.datasetId);
  if (!item) throw notFound('item', id);
  let siteId: string | undefined;
  if (input.site) {
    const site = await deps.repos.datasets.findSite(input.site).catch(() => null);
    if (!site || site.datasetId !== item.datasetId) throw notFound('site', input.site);
    siteId = site.id;
  }
  let labelIds: string[] | undefined;
  if (input.labels) {
    const names = input.labels.map((name) => checkLabelName(name, ['input', 'labels']));
    labelIds = (await deps.repos.datasets.ensureLabels(item.datasetId, names)).map((l) => l.id);
  }
  const updated = await deps.repos.items.update(id, {
    ...(siteId ? { siteId } : {}),
    ...(labelIds ? { labelIds } : {}),
    ...(input.split ? { split: input.split } : {}),
    ...(input.metadata ? { metadata: input.metadata } : {}),
  });
  return updated;
}

export async function deleteItem(
  deps: AppDeps,
  principal: Principal | null,
  id: string,
): Promise<ItemSummary> {
  const item = await deps.repos.items.findById(id);
  authorize(principal, 'editor', item?.datasetId);
  if (!item) throw notFound('item', id);
  return deps.repos.items.delete(id);
}
