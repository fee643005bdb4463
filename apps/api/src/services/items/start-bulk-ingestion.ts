/**
 * Starts a bulk ingestion: validates the whole request first (a bad one writes nothing), honours
 * an idempotency key, stages every item in the database (so any worker can run the job) and
 * queues the `ingestion` job. Returns the QUEUED ingestion at once.
 */
import type { BulkIngestion } from '@concord/db';
import { isDbError } from '@concord/db';
import { authorize, type Principal } from '../../auth/principal.ts';
import type { AppDeps } from '../../context.ts';
import { AppError, badInput, notFound } from '../../errors.ts';
import { checkKnownLabels } from './check-labels.ts';
import {
  contentBytes,
  hashRequest,
  prepareItem,
  toStaged,
  type IngestItemData,
} from './prepare-items.ts';

const MAX_KEY_LENGTH = 200;

export async function startBulkIngestion(
  deps: AppDeps,
  principal: Principal | null,
  input: {
    datasetId: string;
    idempotencyKey?: string | null;
    /** Create labels the dataset does not have (else they are refused, unless the dataset allows it). */
    createLabels?: boolean | null;
    items: IngestItemData[];
  },
): Promise<BulkIngestion> {
  authorize(principal, 'editor', input.datasetId);
  const { repos, env } = deps;
  const dataset = await repos.datasets.findById(input.datasetId);
  if (!dataset) throw notFound('dataset', input.datasetId);
  checkLimits(input.items, env.MAX_BULK_INGEST_ITEMS, env.MAX_BULK_INGEST_BYTES);
  const sites = await repos.datasets.listSites(dataset.id);
  const prepared = input.items.map((item, index) =>
    prepareItem(item, index, sites, dataset, env.MAX_UPLOAD_BYTES),
  );
  await checkKnownLabels(deps, dataset, prepared, input.createLabels ?? false);

  const key = input.idempotencyKey?.trim() || null;
  if (key && key.length > MAX_KEY_LENGTH)
    throw badInput(`An idempotency key has at most ${MAX_KEY_LENGTH} characters.`, [
      'input',
      'idempotencyKey',
    ]);
  const requestHash = hashRequest(prepared);
  if (key) {
    const previous = await repos.bulkIngestions.findByKey(dataset.id, key);
    if (previous) return replay(previous, requestHash);
  }
  let ingestion: BulkIngestion;
  try {
    ingestion = await repos.bulkIngestions.create(
      { datasetId: dataset.id, idempotencyKey: key, requestHash },
      prepared.map(toStaged),
    );
  } catch (error) {
    // A concurrent call with the same key staged first.
    if (!key || !isDbError(error) || error.code !== 'CONFLICT') throw error;
    const previous = await repos.bulkIngestions.findByKey(dataset.id, key);
    if (!previous) throw error;
    return replay(previous, requestHash);
  }
  await deps.queue.enqueueIngestion(ingestion.id);
  deps.log.info(`bulk ingestion ${ingestion.id} queued: ${ingestion.total} items`);
  return ingestion;
}

function replay(previous: BulkIngestion, requestHash: string): BulkIngestion {
  if (previous.requestHash !== requestHash) {
    throw new AppError('CONFLICT', 'This idempotency key was used for a different request.', [
      'input',
      'idempotencyKey',
    ]);
  }
  return previous;
}

function checkLimits(items: IngestItemData[], maxItems: number, maxBytes: number): void {
  if (items.length < 1 || items.length > maxItems) {
    throw badInput(`A bulk ingestion holds 1..${maxItems} items.`, ['input', 'items']);
  }
  const total = items.reduce((sum, item) => sum + contentBytes(item), 0);
  if (total > maxBytes) {
    throw new AppError(
      'PAYLOAD_TOO_LARGE',
      `The items hold ${total} bytes together; the limit is ${maxBytes}.`,
      ['input', 'items'],
    );
  }
}
