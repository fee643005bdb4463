/**
 * The `ingestion` job: works a bulk ingestion's staged rows in index order, a chunk at a time,
 * through the same featuriser pool and decisions as `ingestItems`. Each row's outcome is stored
 * with the item it created in one transaction, so a retried job (its worker died, the job
 * expired) skips what is done and redoes the rest; the counts are recomputed from the rows.
 * Cancellation is checked between chunks. A job stops after INGESTION_SLICE_SECONDS and
 * continues in a new one, so the job expiry can stay short.
 */
import { setImmediate, setTimeout as delay } from 'node:timers/promises';
import { isDbError, type NewItem } from '@concord/db';
import type { AppDeps } from '../../context.ts';
import { embedOnArrival, type ItemRef } from '../embeddings/embed-items.ts';
import { checkThresholdPolicy } from '../training/check-threshold-policy.ts';
import { featuriseItems, labelResolver, type ItemOutcome } from './featurise-items.ts';
import { outcomeAfterConflict } from './item-identity.ts';
import { fromStaged, type PreparedItem } from './prepare-items.ts';

/** The featuriser pool's own bound was reached: the row stays pending and is tried again. */
const RETRY_LATER = new Set(['SERVICE_BUSY']);

export type BulkStep = 'finished' | 'continue' | 'gone';

export async function runBulkIngestion(deps: AppDeps, id: string): Promise<BulkStep> {
  const { repos, env } = deps;
  const ingestion = await repos.bulkIngestions.findById(id);
  if (!ingestion || !(await repos.bulkIngestions.start(id))) return 'gone';
  const dataset = await repos.datasets.findById(ingestion.datasetId);
  if (!dataset) return 'gone';
  const sliceEnds = Date.now() + env.INGESTION_SLICE_SECONDS * 1000;
  for (;;) {
    const current = await repos.bulkIngestions.findById(id);
    if (current?.status !== 'RUNNING') {
      // Cancelled (or failed for good) between chunks.
      await repos.bulkIngestions.recount(id);
      return 'gone';
    }
    if (Date.now() > sliceEnds) {
      // Each job start counts an attempt, so the next slice's job id is new.
      await deps.queue.enqueueIngestion(id, current.attempts);
      return 'continue';
    }
    const rows = await repos.bulkIngestions.pending(id, env.INGESTION_CHUNK_SIZE);
    if (rows.length === 0) break;
    const waiting = await storeChunk(deps, id, dataset, rows.map(fromStaged));
    await repos.bulkIngestions.recount(id);
    if (waiting > 0) await delay(1000);
    // On the embedded database every query resolves without I/O: without a turn of the event
    // loop here, a long ingestion would starve the requests this process also answers.
    else await setImmediate();
  }
  const final = await repos.bulkIngestions.recount(id);
  if (await repos.bulkIngestions.finish(id, 'SUCCEEDED', null)) {
    deps.log.info(`bulk ingestion ${id} succeeded`, {
      created: final.created,
      duplicates: final.duplicates,
      failed: final.failed,
    });
  }
  if (final.created > 0) await checkThresholdPolicy(deps, dataset.id);
  return 'finished';
}

/**
 * Stores each row's outcome (with its new item) and embeds the chunk's new items by the dataset's
 * live models; returns the rows left for a busy featuriser.
 */
async function storeChunk(
  deps: AppDeps,
  id: string,
  dataset: { id: string; modalities: string[]; featurisers: unknown },
  prepared: PreparedItem[],
): Promise<number> {
  const labelIdsOf = labelResolver(deps, dataset.id, () => prepared.flatMap((p) => p.labels));
  let waiting = 0;
  const created: ItemRef[] = [];
  for await (const { p, decision } of featuriseItems(deps, dataset, prepared)) {
    if (decision.kind === 'outcome') {
      if (decision.outcome.errorCode && RETRY_LATER.has(decision.outcome.errorCode)) waiting += 1;
      else await store(deps, id, decision.outcome);
      continue;
    }
    const item: NewItem = {
      ...decision.item,
      id: crypto.randomUUID(),
      labelIds: await labelIdsOf(p.labels),
    };
    const base = { index: p.index, key: p.key, errorCode: null, error: null };
    try {
      const stored = await deps.repos.bulkIngestions.storeBulkOutcome(
        id,
        p.index,
        { ...base, status: 'CREATED', itemId: null },
        item,
      );
      if (stored === 'stored') created.push({ itemId: item.id!, modality: item.modality });
    } catch (error) {
      if (!isDbError(error) || error.code !== 'CONFLICT') throw error;
      // The same key (or keyless content) earlier in this request, or stored meanwhile.
      await store(deps, id, await outcomeAfterConflict(deps, p, item));
    }
  }
  await embedOnArrival(deps, dataset.id, created);
  return waiting;
}

async function store(deps: AppDeps, id: string, outcome: ItemOutcome): Promise<void> {
  await deps.repos.bulkIngestions.storeBulkOutcome(id, outcome.index, {
    status: outcome.status,
    itemId: outcome.itemId,
    errorCode: outcome.errorCode,
    error: outcome.error,
  });
}

/** The job failed for good (its workers kept dying, it kept expiring or kept throwing). */
export async function failBulkIngestion(deps: AppDeps, id: string): Promise<void> {
  const ingestion = await deps.repos.bulkIngestions.findById(id);
  if (!ingestion) return;
  const attempts = deps.env.INGESTION_JOB_RETRY_LIMIT + 1;
  const reason = ingestion.error
    ? `the last attempt failed: ${ingestion.error}`
    : `its worker died or the job outlived INGESTION_JOB_EXPIRE_SECONDS each time`;
  await deps.repos.bulkIngestions.recount(id);
  await deps.repos.bulkIngestions.finish(
    id,
    'FAILED',
    `given up after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${reason}`,
  );
}
