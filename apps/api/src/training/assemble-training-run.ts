/**
 * The `training-assemble` job, the run's last step once every unit is done: the model from the
 * unit results, every item embedded into a new model version beside the active one (blue/green),
 * held-out evaluation (named metrics, `evaluate-models.ts`), the promotion gate → SUCCEEDED. Every write is idempotent, so
 * a job retried after a crash finishes the run without duplicate rows. The vectors to embed are
 * loaded by the snapshot's item ids (`load-modality-rows.ts`); items deleted since planning are
 * left out of the embeddings and the evaluation, and the run log says how many.
 */
import type { TrainingRun } from '@concord/db';
import type { AppDeps } from '../context.ts';
import { embedMissingItems } from '../services/embeddings/embed-items.ts';
import { evaluateModels } from '../services/models/evaluate-models.ts';
import { promote } from '../services/models/promote-model.ts';
import { storedMetrics } from '../services/models/stored-metrics.ts';
import { emitEvent } from '../services/webhooks/emit-event.ts';
import { featureBuffers, loadEmbedModalities } from './load-modality-rows.ts';
import type { TrainedOutput } from './protocol.ts';
import { runInThread } from './run-in-thread.ts';
import {
  doneKey,
  failRun,
  loadSnapshot,
  noteFor,
  PRIOR_KEY,
  type RunSnapshot,
} from './training-state.ts';

export async function assembleTrainingRun(deps: AppDeps, runId: string): Promise<void> {
  const { repos } = deps;
  const run = await repos.runs.findById(runId);
  if (!run || run.status !== 'RUNNING') return;
  const note = noteFor(deps, runId);
  try {
    // A model past its embedding step survives a crash; one still embedding is redone.
    const found = await repos.models.findByRun(runId);
    const existing = found && found.status !== 'TRAINING' ? found : null;
    const model = existing ?? (await buildModel(deps, run));
    await note(`model v${model.version} stored; embeddings indexed`);
    const dataset = await repos.datasets.findById(run.datasetId);
    const active = dataset?.activeModelId ?? null;
    const ready =
      model.status === 'EVALUATING' ? await repos.models.setStatus(model.id, 'READY') : model;
    let finished = ready;
    if (ready.status === 'READY' && ready.id !== active) {
      // `ensureEmbedded` (embed what either model misses of the held-out items) is wired here
      // once `embedMissingItems` exists; until then the gate judges the items both embedded.
      const outcome = await promote(deps, ready, { force: false });
      finished = outcome.model;
      await note(
        outcome.promoted
          ? `model v${ready.version} promoted (${outcome.gate?.verdict}: ${outcome.gate?.reason})`
          : `model v${ready.version} not promoted: ${outcome.gate?.reason}`,
      );
    }
    await repos.runs.update(runId, { stage: 'done', progress: 1 });
    if (await repos.runs.finish(runId, 'SUCCEEDED')) {
      await emitEvent(deps, run.datasetId, 'run.finished', {
        runId,
        modelId: finished.id,
        version: finished.version,
        metrics: finished.metrics,
        gate: finished.gate,
      });
    }
    await repos.runs.deleteCheckpoints(runId);
  } catch (error) {
    await failRun(deps, run, error);
  }
}

async function buildModel(deps: AppDeps, run: TrainingRun) {
  const { repos } = deps;
  const snapshot = await loadSnapshot(deps, run.id);
  const prior = await repos.runs.checkpoint(run.id, PRIOR_KEY);
  if (!snapshot || !prior) throw new Error('assemble started before every unit was done');
  const results = async (stage: 'spl' | 'rsc', units: string[]) =>
    Promise.all(
      units.map(async (unit) => {
        const row = await repos.runs.checkpoint(run.id, doneKey(stage, unit));
        if (!row) throw new Error(`assemble started before ${stage}:${unit} was done`);
        return row.state;
      }),
    );
  await repos.runs.update(run.id, { stage: 'assembling', progress: 0.9 });
  const { modalities, itemIds } = await loadEmbedModalities(
    deps,
    snapshot,
    (name, missing, planned) =>
      noteFor(deps, run.id)(
        `${missing} of the ${planned} ${name} items of the run's snapshot were deleted since planning; left out of the embeddings and the evaluation`,
        'warn',
      ),
  );
  const outcome = await runInThread(
    {
      type: 'start',
      numClasses: snapshot.data.numClasses,
      args: snapshot.args,
      task: {
        kind: 'finish',
        modalities,
        prior: prior.state,
        spl: await results('spl', snapshot.plan.spl),
        rsc: await results('rsc', snapshot.plan.rsc),
      },
    },
    {
      onEpoch: () => Promise.resolve(false),
      onCheckpoint: () => Promise.resolve(),
      onLog: (message) => noteFor(deps, run.id)(message),
    },
    featureBuffers(modalities.map((m) => m.all.features)),
  );
  if (outcome.kind !== 'done') throw new Error(`unexpected thread outcome ${outcome.kind}`);
  return storeModel(deps, run, outcome.output, snapshot.data.featurisers, itemIds);
}

async function storeModel(
  deps: AppDeps,
  run: TrainingRun,
  output: TrainedOutput,
  featurisers: RunSnapshot['data']['featurisers'],
  itemIds: Record<string, string[]>,
) {
  const { repos, db, env } = deps;
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
      featuriserId: featurisers[modality]?.id ?? 'unknown',
      featuriserVersion: featurisers[modality]?.version ?? 'unknown',
      weights,
      spec: { format: 'drcl-network-bundle', version: 1 },
      featuriserState: featurisers[modality]?.state ?? null,
    })),
  );
  const d = output.dimension;
  const batch = env.EMBED_BATCH_SIZE;
  for (const [modality, ids] of Object.entries(itemIds)) {
    const vectors = output.embeddings[modality]!;
    for (let start = 0; start < ids.length; start += batch) {
      const rows = ids.slice(start, start + batch).map((itemId, i) => ({
        itemId,
        vector: vectors.subarray((start + i) * d, (start + i + 1) * d),
      }));
      await db.embeddings.upsertMany(model.id, rows, { skipMissing: true });
    }
  }
  // Items stored since the run was planned: from here on, ingestion embeds arrivals by this model
  // itself (it is live while its run runs), so after this pass the model holds every item.
  const caughtUp = await embedMissingItems(deps, model.id, batch);
  if (caughtUp.embedded > 0)
    await noteFor(deps, run.id)(`embedded ${caughtUp.embedded} items stored since planning`);
  await db.embeddings.buildIndex(model.id);
  await repos.runs.update(run.id, { stage: 'evaluating', progress: 0.97 });
  const evaluation = await evaluateModels(deps, [model]);
  return repos.models.setStatus(
    model.id,
    'EVALUATING',
    storedMetrics(evaluation, evaluation.models[0]!),
  );
}
