/**
 * Seeds the emoji demo corpus (emoji-datasource-google@16: 64 px Google PNGs, names + short names,
 * 9 categories) on the first start of an empty database, then queues a short training run; the
 * training job promotes the model when it finishes. Runs in the background: every step is
 * idempotent (items by key through the ingestion service), so a start after an interruption
 * finishes what is missing, and a seeded dataset (one with a training run) is left alone.
 */
import { emojiSourceItems, loadEmojiCorpus, type EmojiRecord } from '@concord/features';
import type { Dataset } from '@concord/db';
import type { AppDeps } from '../context.ts';
import { importItems, SYSTEM_PRINCIPAL, type ImportProgress } from '../import/import-items.ts';
import { createDataset } from '../services/datasets/create-dataset.ts';
import { queueTrainingRun } from '../services/training/start-training-run.ts';
import {
  validateTrainingConfig,
  type TrainingConfigInput,
} from '../services/training/training-config.ts';

export const DEMO_DATASET_NAME = 'Emoji demo';
/** Sub-categories alternate between these two sites inside each category. */
export const DEMO_SITES = ['headquarters', 'branch-office'] as const;
/** Shared-space size of the demo models (small: the corpus has 9 classes). */
export const DEMO_DIMENSION = 64;
/**
 * A short run: 9 classes on 1280-d CNN and LSA text features need no large network (a small one
 * also keeps the per-epoch checkpoints small). Batches shrink with the corpus so a subset still
 * takes several steps per epoch.
 */
export function demoTrainingConfig(emoji: number): TrainingConfigInput {
  const batchSize = Math.min(128, 2 ** Math.floor(Math.log2(Math.max(16, emoji / 8))));
  return {
    hiddenSizes: [128],
    splEpochs: 12,
    rscEpochs: 12,
    batchSize,
    splLearningRate: 0.005,
    rscLearningRate: 0.005,
    textDimensions: 128,
    seed: 1,
  };
}
const LOG_EVERY_MS = 10_000;

export interface SeedDemoArgs {
  /** This start found an empty database (it created the first admin key). */
  firstStart: boolean;
  /** Emoji per category (the first in the package's order); null = the whole corpus. */
  perCategory: number | null;
  signal?: AbortSignal;
}

export type SeedOutcome = 'not-first-start' | 'already-seeded' | 'seeded';

/** The demo emoji: every one, or the first `perCategory` of each category. */
export function demoRecords(perCategory: number | null): EmojiRecord[] {
  const all = loadEmojiCorpus({ sites: DEMO_SITES });
  if (perCategory === null) return all;
  const taken = new Map<string, number>();
  return all.filter((r) => {
    const n = taken.get(r.label) ?? 0;
    taken.set(r.label, n + 1);
    return n < perCategory;
  });
}

export async function seedDemoCorpus(deps: AppDeps, args: SeedDemoArgs): Promise<SeedOutcome> {
  const { repos, log } = deps;
  let dataset: Dataset | undefined = (await repos.datasets.all()).find(
    (d) => d.name === DEMO_DATASET_NAME,
  );
  if (!dataset) {
    if (!args.firstStart) return 'not-first-start';
    dataset = await createDataset(deps, SYSTEM_PRINCIPAL, {
      name: DEMO_DATASET_NAME,
      description:
        'Google emoji (emoji-datasource-google@16, images Apache-2.0): images and their names, ' +
        'labelled by category; sub-categories alternate between two sites.',
      dimension: DEMO_DIMENSION,
    });
    for (const name of DEMO_SITES) await repos.datasets.createSite(dataset.id, { name });
  } else if (await repos.runs.latest(dataset.id)) {
    return 'already-seeded';
  }

  const records = demoRecords(args.perCategory);
  const items = emojiSourceItems(records);
  log.info('demo corpus: seeding', {
    dataset: dataset.id,
    emoji: records.length,
    items: items.length,
  });
  let lastLog = Date.now();
  const summary = await importItems(deps, SYSTEM_PRINCIPAL, items, {
    datasetId: dataset.id,
    total: items.length,
    // The corpus brings its own label set: its categories become the dataset's labels.
    createLabels: true,
    ...(args.signal ? { signal: args.signal } : {}),
    onProgress: (p: ImportProgress) => {
      if (Date.now() - lastLog < LOG_EVERY_MS && p.processed < items.length) return;
      lastLog = Date.now();
      log.info('demo corpus: ingesting', {
        processed: p.processed,
        total: items.length,
        created: p.created,
        duplicates: p.duplicates,
        failed: p.failed,
        seconds: Math.round(p.elapsedMs / 1000),
      });
    },
  });
  for (const e of summary.errors.slice(0, 10))
    log.error('demo corpus: item failed', e.message, { key: e.key, code: e.code });
  args.signal?.throwIfAborted();
  const run = await queueTrainingRun(
    deps,
    dataset.id,
    validateTrainingConfig(demoTrainingConfig(records.length)),
  );
  log.info('demo corpus: ingested; training queued (the model is promoted when it finishes)', {
    created: summary.created,
    duplicates: summary.duplicates,
    failed: summary.failed,
    seconds: Math.round(summary.elapsedMs / 1000),
    runId: run.id,
  });
  return 'seeded';
}

/** Runs the seeding in the background; `stop` aborts it between batches and waits. */
export function startDemoSeeding(
  deps: AppDeps,
  args: Omit<SeedDemoArgs, 'signal'>,
): { done: Promise<SeedOutcome | 'stopped' | 'failed'>; stop(): Promise<void> } {
  const controller = new AbortController();
  const done = seedDemoCorpus(deps, { ...args, signal: controller.signal }).catch(
    (error: unknown) => {
      if (controller.signal.aborted) {
        deps.log.info('demo corpus: seeding stopped; the next start resumes it');
        return 'stopped' as const;
      }
      deps.log.error('demo corpus: seeding failed; the next start retries it', error);
      return 'failed' as const;
    },
  );
  return {
    done,
    async stop() {
      controller.abort();
      await done;
    },
  };
}
