import type { BulkIngestion } from '@concord/db';
import { authorize, type Principal } from '../../auth/principal.ts';
import type { AppDeps } from '../../context.ts';
import { AppError, notFound } from '../../errors.ts';

/**
 * Marks a queued or running bulk ingestion cancelled: its job stops at the next chunk boundary;
 * items already stored stay, and the rows never worked keep no outcome (status PENDING).
 */
export async function cancelBulkIngestion(
  deps: AppDeps,
  principal: Principal | null,
  id: string,
): Promise<BulkIngestion> {
  const ingestion = await deps.repos.bulkIngestions.findById(id);
  authorize(principal, 'editor', ingestion?.datasetId);
  if (!ingestion) throw notFound('bulk ingestion', id);
  if (!(await deps.repos.bulkIngestions.finish(id, 'CANCELLED', 'cancelled by request'))) {
    throw new AppError('FAILED_PRECONDITION', `The bulk ingestion is already ${ingestion.status}.`);
  }
  return deps.repos.bulkIngestions.recount(id);
}
