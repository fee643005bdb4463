/** Site use-cases: create, rename/describe, delete (refused while items belong to the site). */
import type { Site } from '@concord/db';
import { authorize, type Principal } from '../../auth/principal.ts';
import type { AppDeps } from '../../context.ts';
import { badInput, notFound } from '../../errors.ts';

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > 200)
    throw badInput('name must have 1..200 characters.', ['input', 'name']);
  return trimmed;
}

export async function createSite(
  deps: AppDeps,
  principal: Principal | null,
  datasetId: string,
  input: { name: string; description?: string | null },
): Promise<Site> {
  authorize(principal, 'editor', datasetId);
  if (!(await deps.repos.datasets.findById(datasetId))) throw notFound('dataset', datasetId);
  return deps.repos.datasets.createSite(datasetId, {
    name: checkName(input.name),
    description: input.description ?? '',
  });
}

export async function updateSite(
  deps: AppDeps,
  principal: Principal | null,
  id: string,
  input: { name: string; description?: string | null },
): Promise<Site> {
  const site = await deps.repos.datasets.findSite(id);
  authorize(principal, 'editor', site?.datasetId);
  if (!site) throw notFound('site', id);
  return deps.repos.datasets.updateSite(id, {
    name: checkName(input.name),
    ...(input.description != null ? { description: input.description } : {}),
  });
}

export async function deleteSite(
  deps: AppDeps,
  principal: Principal | null,
  id: string,
): Promise<Site> {
  const site = await deps.repos.datasets.findSite(id);
  authorize(principal, 'admin', site?.datasetId);
  if (!site) throw notFound('site', id);
  return deps.repos.datasets.deleteSite(id);
}
