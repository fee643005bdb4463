/**
 * The training job: RUNNING → train in a worker thread (resuming from the last checkpoint) →
 * new model version with every item embedded beside the active one (blue/green) → held-out
 * evaluation → promotion when it is not worse → SUCCEEDED. Every write is idempotent, so a job
 * retried after a crash finishes the run without duplicate rows.
 */
import { Worker } from 'node:worker_threads';
import type { TrainingRun } from '@concord/db';
import type { EpochEvent } from '@concord/drcl';
import type { AppDeps } from '../context.ts';
import { AppError } from '../errors.ts';
import { passesGate, promote } from '../services/models/promote-model.ts';
import { resolveRunConfig } from '../services/training/training-config.ts';
import { emitEvent } from '../services/webhooks/emit-event.ts';
import { loadTrainingData, type TrainingData } from './load-training-data.ts';
import type { FromThread, StartMessage, ToThread, TrainedOutput } from './protocol.ts';

const CHECKPOINT_KEY = 'drcl';
const EMBED_BATCH = 500;

export async function runTrainingJob(deps: AppDeps, runId: string): Promise<void> {
  const { repos, log } = deps;
  const run = await repos.runs.start(runId);
  if (!run) return; // already final (cancelled before it started, or finished)
  const note = (message: string, level = 'info') =>
    repos.runs.appendLog(runId, { at: new Date().toISOString(), level, message });
  try {
    await note(run.attempts > 1 ? `attempt ${run.attempts}: resuming` : 'started');
    // A model past its embedding step survives a crash; one still embedding is redone.
    const found = await repos.models.findByRun(runId);
    const existing = found && found.status !== 'TRAINING' ? found : null;
    const output = existing ? null : await train(deps, run, note);
    if (output === 'cancelled') {
      await repos.runs.finish(runId, 'CANCELLED', 'cancelled by request');
      await note('cancelled');
      return;
    }
    const model = existing ?? (await storeModel(deps, run, output!.output, output!.data));
    await note(`model v${model.version} stored; embeddings indexed`);
    const dataset = await repos.datasets.findById(run.datasetId);
    const active = dataset?.activeModelId
      ? await repos.models.findById(dataset.activeModelId)
      : null;
    const ready =
      model.status === 'EVALUATING' ? await repos.models.setStatus(model.id, 'READY') : model;
    if (ready.status === 'READY' && passesGate(ready, active)) {
      await promote(deps, ready, false);
      await note(`model v${ready.version} promoted`);
    } else if (ready.status === 'READY') {
      await note(`model v${ready.version} not promoted: worse than the active model on mAP`);
    }
    await repos.runs.update(runId, { stage: 'done', progress: 1 });
    if (await repos.runs.finish(runId, 'SUCCEEDED')) {
      await emitEvent(deps, run.datasetId, 'run.finished', {
        runId,
        modelId: ready.id,
        version: ready.version,
        metrics: ready.metrics,
      });
    }
    await repos.runs.deleteCheckpoints(runId);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log.error('training run failed', error, { runId });
    await note(message, 'error').catch(() => undefined);
    if (await repos.runs.finish(runId, 'FAILED', message)) {
      await emitEvent(deps, run.datasetId, 'run.failed', { runId, error: message });
    }
  }
}

async function train(
  deps: AppDeps,
  run: TrainingRun,
  note: (message: string) => Promise<void>,
): Promise<{ output: TrainedOutput; data: TrainingData } | 'cancelled'> {
  const { repos } = deps;
  const dataset = await repos.datasets.findById(run.datasetId);
  if (!dataset) throw new AppError('NOT_FOUND', 'The dataset was deleted.');
  const config = resolveRunConfig(stripResolved(run.config), dataset.dimension);
  await repos.runs.update(run.id, { stage: 'loading' });
  const data = await loadTrainingData(
    repos,
    dataset.id,
    deps.featurisers.imageFeaturiserId,
    config.textDimensions,
    config.drcl.seed ?? 42,
  );
  const checkpoint = await repos.runs.checkpoint(run.id, CHECKPOINT_KEY);
  if (checkpoint)
    await note(
      `resuming from checkpoint ${String((checkpoint.meta as { label?: string }).label ?? checkpoint.epoch)}`,
    );
  const splEpochs = config.drcl.splEpochs ?? 0;
  const rscEpochs = config.drcl.rscEpochs ?? 0;
  const totalEpochs = Math.max(1, data.modalities.length * (splEpochs + rscEpochs));
  const done = new Set<string>();
  const start: StartMessage = {
    type: 'start',
    numClasses: data.numClasses,
    args: config.drcl,
    modalities: data.modalities,
    resume: checkpoint ? checkpoint.state : null,
  };

  const worker = new Worker(new URL('./train-thread.mjs', import.meta.url));
  let chain: Promise<unknown> = Promise.resolve();
  try {
    const result = await new Promise<TrainedOutput | 'cancelled'>((resolve, reject) => {
      const post = (message: ToThread) => worker.postMessage(message);
      const handle = async (message: FromThread): Promise<void> => {
        switch (message.type) {
          case 'epoch': {
            const e = message.event;
            const unit = unitOf(e);
            done.add(`${e.stage}:${unit}:${e.epoch}`);
            await repos.runs.recordEpoch(run.id, e.stage, unit, e.epoch, { ...e });
            await repos.runs.update(run.id, {
              stage: `${e.stage}:${unit}`,
              epoch: e.epoch + 1,
              progress: Math.min(0.9, (0.9 * done.size) / totalEpochs),
            });
            const current = await repos.runs.findById(run.id);
            if (current?.status === 'CANCELLED') post({ type: 'abort' });
            return;
          }
          case 'prior':
            await repos.runs.update(run.id, {
              selectedPrior: { ...message.event },
              priorCandidates: Object.entries(message.event.scores).map(([candidate, score]) => ({
                candidate,
                score,
              })),
            });
            await note(
              `prior selected: ${message.event.candidate} (quality ${message.event.score.toFixed(4)})`,
            );
            return;
          case 'unit':
            await note(
              `${message.event.stage} ${message.event.unit} ${message.event.kind}${message.event.kind === 'end' ? ` after ${message.event.seconds.toFixed(1)} s` : ''}`,
            );
            return;
          case 'checkpoint':
            await repos.runs.saveCheckpoint(run.id, CHECKPOINT_KEY, 0, message.bytes, {
              label: message.label,
            });
            post({ type: 'ack', id: message.id });
            return;
          case 'log':
            await note(message.message);
            return;
          case 'done':
            resolve(message.output);
            return;
          case 'cancelled':
            resolve('cancelled');
            return;
          case 'error':
            reject(new Error(`training failed: ${message.message}`));
            return;
        }
      };
      worker.on('message', (message: FromThread) => {
        chain = chain.then(() => handle(message)).catch(reject);
      });
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`the training thread exited (${code})`)));
      post(start);
    });
    return result === 'cancelled' ? result : { output: result, data };
  } finally {
    await chain.catch(() => undefined);
    await worker.terminate();
  }

  function unitOf(e: EpochEvent): string {
    return e.stage === 'spl' ? e.candidate : e.modality;
  }
}

async function storeModel(
  deps: AppDeps,
  run: TrainingRun,
  output: TrainedOutput,
  data: TrainingData,
) {
  const { repos, db } = deps;
  await repos.runs.update(run.id, { stage: 'embedding', progress: 0.92 });
  const model = await repos.models.createForRun(
    {
      datasetId: run.datasetId,
      trainingRunId: run.id,
      dimension: output.dimension,
      config: output.config,
      prior: output.prior,
      priorSource: output.priorSource,
    },
    Object.entries(output.networks).map(([modality, weights]) => ({
      modality,
      featuriserId: data.featurisers[modality]?.id ?? 'unknown',
      featuriserVersion: data.featurisers[modality]?.version ?? 'unknown',
      weights,
      spec: { format: 'drcl-network-bundle', version: 1 },
      featuriserState: data.featurisers[modality]?.state ?? null,
    })),
  );
  const d = output.dimension;
  for (const [modality, ids] of Object.entries(data.itemIds)) {
    const vectors = output.embeddings[modality]!;
    for (let start = 0; start < ids.length; start += EMBED_BATCH) {
      const rows = ids.slice(start, start + EMBED_BATCH).map((itemId, i) => ({
        itemId,
        vector: vectors.subarray((start + i) * d, (start + i + 1) * d),
      }));
      await db.embeddings.upsertMany(model.id, rows);
    }
  }
  await db.embeddings.buildIndex(model.id);
  await repos.runs.update(run.id, { stage: 'evaluating', progress: 0.97 });
  return repos.models.setStatus(model.id, 'EVALUATING', output.metrics);
}

function stripResolved(config: unknown): Record<string, unknown> {
  const rest = { ...((config ?? {}) as Record<string, unknown>) };
  delete rest.resolved;
  return rest;
}
