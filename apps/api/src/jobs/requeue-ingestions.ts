/**
 * Part of the minutely tick: an ingestion is staged and then its job is sent, in two steps; if
 * the process died or the queue refused between them, the ingestion would stay QUEUED forever.
 * Each tick sends the first job again for every ingestion QUEUED for over a minute. The job id is
 * derived from the ingestion, so pg-boss keeps one job however often this runs: an ingestion that
 * merely waits for a busy worker is not queued twice.
 */
import type { AppDeps } from '../context.ts';

export const STRANDED_AFTER_MS = 60_000;

export async function requeueStrandedIngestions(
  deps: AppDeps,
  now = new Date(),
): Promise<string[]> {
  const ids = await deps.repos.bulkIngestions.queuedBefore(
    new Date(now.getTime() - STRANDED_AFTER_MS),
  );
  for (const id of ids) await deps.queue.enqueueIngestion(id, 0);
  return ids;
}
