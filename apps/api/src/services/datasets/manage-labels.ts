/** Label use-cases; indices stay dense (0..C-1) because the model trains on them. */
import type { Label } from '@concord/db';
import { authorize, type Principal } from '../../auth/principal.ts';
import type { AppDeps } from '../../context.ts';
import { badInput, notFound } from '../../errors.ts';

export function checkLabelName(name: string, field: string[] = ['name']): string {
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > 200)
    throw badInput('A label needs 1..200 characters.', field);
  return trimmed;
}

export async function createLabel(
  deps: AppDeps,
  principal: Principal | null,
  datasetId: string,
  name: string,
): Promise<Label> {
  authorize(principal, 'editor', datasetId);
  const clean = checkLabelName(name);
  if (!(await deps.repos.datasets.findById(datasetId))) throw notFound('dataset', datasetId);
  const [label] = await deps.repos.datasets.ensureLabels(datasetId, [clean]);
  return label!;
}

export async function renameLabel(
  deps: AppDeps,
  principal: Principal | null,
  id: string,
  name: string,
): Promise<Label> {
  const label = await deps.repos.datasets.findLabel(id);
  authorize(principal, 'editor', label?.datasetId);
  if (!label) throw notFound('label', id);
  return deps.repos.datasets.renameLabel(id, checkLabelName(name));
}

export async function deleteLabel(
  deps: AppDeps,
  principal: Principal | null,
  id: string,
): Promise<Label> {
  const label = await deps.repos.datasets.findLabel(id);
  authorize(principal, 'admin', label?.datasetId);
  if (!label) throw notFound('label', id);
  return deps.repos.datasets.deleteLabel(id);
}
