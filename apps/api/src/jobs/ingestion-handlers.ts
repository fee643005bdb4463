/** The worker's bulk-ingestion handlers: work (a slice of) an ingestion, or fail it for good. */
import type { AppDeps } from '../context.ts';
import { failBulkIngestion, runBulkIngestion } from '../services/items/run-bulk-ingestion.ts';
import type { Handlers } from './queue.ts';

export function ingestionHandlers(deps: AppDeps): Handlers['ingestion'] {
  return {
    run: async (id) => {
      try {
        await runBulkIngestion(deps, id);
      } catch (error) {
        // Kept as the reason should the retries run out; pg-boss retries the job.
        const message = error instanceof Error ? error.message : String(error);
        deps.log.error(`bulk ingestion ${id}: attempt failed`, error);
        await deps.repos.bulkIngestions.noteError(id, message.slice(0, 1000));
        throw error;
      }
    },
    dead: (id) => failBulkIngestion(deps, id),
  };
}
