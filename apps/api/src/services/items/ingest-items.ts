/**
 * Adds a batch of items: validates the whole request first (nothing is written for a bad one),
 * honours an idempotency key, runs every item through the content pipeline and stores each with
 * its own outcome — created, duplicate (the same key with the same content, or keyless content,
 * already there: item-identity.ts) or failed with a code. New items are embedded by the dataset's
 * live models before the call answers.
 */
import type { ItemSummary } from '@concord/db';
import { isDbError } from '@concord/db';
import { authorize, type Principal } from '../../auth/principal.ts';
import type { AppDeps } from '../../context.ts';
import { AppError, badInput, notFound } from '../../errors.ts';
import { embedOnArrival, type ItemRef } from '../embeddings/embed-items.ts';
import { checkThresholdPolicy } from '../training/check-threshold-policy.ts';
import { checkKnownLabels } from './check-labels.ts';
import { featuriseItems, labelResolver, type ItemOutcome } from './featurise-items.ts';
import { outcomeAfterConflict } from './item-identity.ts';
import {
  hashRequest,
  prepareItem,
  type IngestItemData,
  type PreparedItem,
} from './prepare-items.ts';

export type { IngestItemData } from './prepare-items.ts';
export { splitOf } from './featurise-items.ts';
export type IngestItemOutcome = ItemOutcome;

export interface IngestOutcome {
  results: IngestItemOutcome[];
  created: number;
  duplicates: number;
  failed: number;
}

export async function ingestItems(
  deps: AppDeps,
  principal: Principal | null,
  input: {
    datasetId: string;
    idempotencyKey?: string | null;
    /** Create labels the dataset does not have (else they are refused, unless the dataset allows it). */
    createLabels?: boolean | null;
    items: IngestItemData[];
  },
): Promise<IngestOutcome> {
  authorize(principal, 'editor', input.datasetId);
  const { repos, env } = deps;
  const dataset = await repos.datasets.findById(input.datasetId);
  if (!dataset) throw notFound('dataset', input.datasetId);
  if (input.items.length < 1 || input.items.length > env.MAX_INGEST_BATCH) {
    throw badInput(`A batch holds 1..${env.MAX_INGEST_BATCH} items.`, ['input', 'items']);
  }
  const sites = await repos.datasets.listSites(dataset.id);
  const prepared = input.items.map((item, index) =>
    prepareItem(item, index, sites, dataset, env.MAX_UPLOAD_BYTES),
  );
  await checkKnownLabels(deps, dataset, prepared, input.createLabels ?? false);

  const key = input.idempotencyKey?.trim() || null;
  const requestHash = hashRequest(prepared);
  if (key) {
    const previous = await repos.ingestions.find(dataset.id, key);
    if (previous) {
      if (previous.requestHash !== requestHash) {
        throw new AppError('CONFLICT', 'This idempotency key was used for a different request.', [
          'input',
          'idempotencyKey',
        ]);
      }
      return previous.result as unknown as IngestOutcome;
    }
  }

  // Labels are created with the first item that is: a batch whose items all fail writes nothing.
  const labelIdsOf = labelResolver(deps, dataset.id, () => prepared.flatMap((p) => p.labels));
  const results: IngestItemOutcome[] = [];
  const created: ItemRef[] = [];
  for await (const { p, decision } of featuriseItems(deps, dataset, prepared)) {
    if (decision.kind === 'outcome') {
      results.push(decision.outcome);
      continue;
    }
    try {
      const item: ItemSummary = await repos.items.create({
        ...decision.item,
        labelIds: await labelIdsOf(p.labels),
      });
      results.push({ ...outcomeBase(p), status: 'CREATED', itemId: item.id });
      created.push({ itemId: item.id, modality: item.modality });
    } catch (error) {
      if (!isDbError(error) || error.code !== 'CONFLICT') throw error;
      results.push(await outcomeAfterConflict(deps, p, decision.item));
    }
  }
  // Found by its content when the call answers: no item waits for a retrain.
  await embedOnArrival(deps, dataset.id, created);
  results.sort((a, b) => a.index - b.index);
  const outcome: IngestOutcome = {
    results,
    created: results.filter((r) => r.status === 'CREATED').length,
    duplicates: results.filter((r) => r.status === 'DUPLICATE').length,
    failed: results.filter((r) => r.status === 'FAILED').length,
  };
  if (key) await repos.ingestions.save(dataset.id, key, requestHash, outcome);
  if (outcome.created > 0) await checkThresholdPolicy(deps, dataset.id);
  return outcome;
}

function outcomeBase(p: PreparedItem) {
  return { index: p.index, key: p.key, itemId: null, errorCode: null, error: null };
}
