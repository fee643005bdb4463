import type { BulkIngestion } from '@concord/db';
import { authorize, type Principal } from '../../auth/principal.ts';
import type { AppDeps } from '../../context.ts';
import { notFound } from '../../errors.ts';
import { watchChanges } from '../watch-changes.ts';

const FINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

/** Yields the bulk ingestion whenever its status or counts change, until it is final. */
export async function* watchBulkIngestion(
  deps: AppDeps,
  principal: Principal | null,
  id: string,
): AsyncGenerator<BulkIngestion> {
  const first = await deps.repos.bulkIngestions.findById(id);
  authorize(principal, 'viewer', first?.datasetId);
  if (!first) throw notFound('bulk ingestion', id);
  yield* watchChanges(
    () => deps.repos.bulkIngestions.findById(id),
    (ingestion) =>
      `${ingestion.status}:${ingestion.created}:${ingestion.duplicates}:${ingestion.failed}:${ingestion.attempts}`,
    (ingestion) => FINAL.has(ingestion.status),
  );
}
