import type { Dataset } from '@concord/db';
import { authorize, type Principal } from '../../auth/principal.ts';
import type { AppDeps } from '../../context.ts';
import { AppError } from '../../errors.ts';

export async function deleteDataset(
  deps: AppDeps,
  principal: Principal | null,
  id: string,
): Promise<Dataset> {
  authorize(principal, 'admin', id);
  if ((await deps.repos.runs.countUnfinished(id)) > 0) {
    throw new AppError(
      'CONFLICT',
      'The dataset has a queued or running training run; cancel it first.',
    );
  }
  return deps.repos.datasets.delete(id);
}
