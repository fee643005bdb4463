import type { Dataset } from '@concord/db';
import { authorize, type Principal } from '../../auth/principal.ts';
import type { AppDeps } from '../../context.ts';
import { badInput } from '../../errors.ts';

export async function updateDataset(
  deps: AppDeps,
  principal: Principal | null,
  id: string,
  input: {
    name?: string | null;
    description?: string | null;
    allowLabelCreation?: boolean | null;
  },
): Promise<Dataset> {
  authorize(principal, 'admin', id);
  const name = input.name?.trim();
  if (name !== undefined && (name.length < 1 || name.length > 200)) {
    throw badInput('name must have 1..200 characters.', ['input', 'name']);
  }
  return deps.repos.datasets.update(id, {
    ...(name !== undefined ? { name } : {}),
    ...(input.description != null ? { description: input.description } : {}),
    ...(input.allowLabelCreation != null ? { allowLabelCreation: input.allowLabelCreation } : {}),
  });
}
