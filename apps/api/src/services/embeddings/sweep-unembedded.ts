/**
 * The worker's minutely sweep: every item a live model has not embedded (its arrival's embedding
 * failed, or its process died between storing and embedding) is embedded now, so no stored item
 * stays unsearchable for longer than a tick. Bounded per model and tick.
 */
import type { AppDeps } from '../../context.ts';
import { embedMissingItems } from './embed-items.ts';

export const SWEEP_LIMIT = 5_000;

export async function sweepUnembedded(deps: AppDeps): Promise<number> {
  let embedded = 0;
  for (const dataset of await deps.repos.datasets.all()) {
    try {
      for (const model of await deps.repos.models.liveFor(dataset.id)) {
        const count = await embedMissingItems(
          deps,
          model.id,
          deps.env.EMBED_BATCH_SIZE,
          SWEEP_LIMIT,
        );
        if (count.embedded > 0)
          deps.log.info('embedded items that missed their arrival', {
            datasetId: dataset.id,
            modelId: model.id,
            embedded: count.embedded,
          });
        embedded += count.embedded;
      }
    } catch (error) {
      deps.log.error('sweeping unembedded items failed', error, { datasetId: dataset.id });
    }
  }
  return embedded;
}
