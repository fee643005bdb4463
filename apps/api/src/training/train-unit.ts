/**
 * The `training-unit` job: one SPL prior candidate or one modality's RSC, trained in a thread on
 * this worker, checkpointed every epoch under `unit:<stage>:<unit>`. A retried job (the worker
 * died, pg-boss expired the job) resumes from that checkpoint. A job stops itself after
 * TRAINING_SLICE_SECONDS at an epoch boundary and queues its continuation, so the job expiry can
 * stay short (pg-boss 10 has no heartbeat) without cutting a long unit. When the unit is done its
 * result is stored and the fan-in (`advanceTrainingRun`) sends what comes next. The job loads only
 * its modality's TRAIN and VALIDATION vectors, by the snapshot's item ids (`load-modality-rows.ts`).
 */
import type { EpochEvent } from '@concord/drcl';
import type { AppDeps } from '../context.ts';
import { advanceTrainingRun } from './advance-training-run.ts';
import { featureBuffers, loadUnitModality } from './load-modality-rows.ts';
import { runInThread } from './run-in-thread.ts';
import type { ThreadTask } from './protocol.ts';
import {
  doneKey,
  failRun,
  loadSnapshot,
  modalityOf,
  noteFor,
  PRIOR_KEY,
  unitKey,
  workerId,
  type RunSnapshot,
  type UnitStage,
} from './training-state.ts';

export interface TrainingUnitJob {
  runId: string;
  stage: UnitStage;
  /** SPL candidate id or modality name. */
  unit: string;
  /** 0 for the first job of the unit, n for its n-th continuation. */
  slice: number;
}

export async function trainUnit(
  deps: AppDeps,
  job: TrainingUnitJob,
  retryCount: number,
): Promise<void> {
  const { repos } = deps;
  const run = await repos.runs.findById(job.runId);
  if (!run || run.status !== 'RUNNING') return; // cancelled or failed meanwhile: nothing to do
  if (retryCount > 0) await repos.runs.countAttempt(run.id);
  const note = noteFor(deps, run.id);
  const name = `${job.stage}:${job.unit}`;
  try {
    const snapshot = await loadSnapshot(deps, run.id);
    if (!snapshot) throw new Error('the run has no data snapshot');
    if (!(await repos.runs.checkpoint(run.id, doneKey(job.stage, job.unit)))) {
      const outcome = await train(deps, job, snapshot);
      if (outcome === 'cancelled') {
        await note(`${name} stopped: the run was cancelled`);
        return;
      }
      if (outcome === 'sliced') {
        await note(`${name}: slice ${job.slice} over, continuing in a new job`);
        await deps.queue.enqueueTrainingUnits(run.id, [{ ...job, slice: job.slice + 1 }]);
        return;
      }
    }
    await advanceTrainingRun(deps, run.id, snapshot);
  } catch (error) {
    await failRun(deps, run, error);
  }
}

async function train(
  deps: AppDeps,
  job: TrainingUnitJob,
  snapshot: RunSnapshot,
): Promise<'done' | 'cancelled' | 'sliced'> {
  const { repos, env } = deps;
  const { runId, stage, unit } = job;
  const note = noteFor(deps, runId);
  const worker = workerId();
  const modality = await loadUnitModality(deps, snapshot, modalityOf(snapshot, stage, unit));
  const checkpoint = await repos.runs.checkpoint(runId, unitKey(stage, unit));
  const resume = checkpoint?.state ?? null;
  let task: ThreadTask;
  if (stage === 'spl') {
    task = { kind: 'spl', modality, candidate: unit, resume };
  } else {
    const prior = await repos.runs.checkpoint(runId, PRIOR_KEY);
    if (!prior) throw new Error('RSC started before the prior was chosen');
    task = { kind: 'rsc', modality, prior: prior.state, resume };
  }
  await note(
    checkpoint
      ? `resuming from checkpoint ${String((checkpoint.meta as { label?: string }).label ?? unit)} on worker ${worker}`
      : `${stage}:${unit} started on worker ${worker}`,
  );
  const { splEpochs = 0, rscEpochs = 0 } = snapshot.args;
  const total = Math.max(
    1,
    snapshot.plan.spl.length * splEpochs + snapshot.plan.rsc.length * rscEpochs,
  );
  const started = Date.now();
  const state: { stop: 'cancelled' | 'sliced' | null } = { stop: null };

  const outcome = await runInThread(
    { type: 'start', numClasses: snapshot.data.numClasses, args: snapshot.args, task },
    {
      async onEpoch(e: EpochEvent) {
        await repos.runs.recordEpoch(runId, e.stage, unit, e.epoch, { ...e, worker });
        const done = await repos.runs.countEpochs(runId);
        await repos.runs.update(runId, {
          stage: `${e.stage}:${unit}`,
          epoch: e.epoch + 1,
          progress: Math.min(0.9, (0.9 * done) / total),
        });
        const current = await repos.runs.findById(runId);
        if (current?.status !== 'RUNNING') state.stop = 'cancelled';
        else if (Date.now() - started > env.TRAINING_SLICE_SECONDS * 1000) state.stop = 'sliced';
        return state.stop !== null;
      },
      onCheckpoint: (bytes, label) =>
        repos.runs.saveCheckpoint(runId, unitKey(stage, unit), 0, bytes, { label, worker }),
      onLog: (message) => note(message),
    },
    featureBuffers(
      [modality.train, ...(modality.validation ? [modality.validation] : [])].map(
        (s) => s.features,
      ),
    ),
  );
  if (outcome.kind === 'stopped') return state.stop ?? 'cancelled';
  if (outcome.kind !== 'result') throw new Error(`unexpected thread outcome ${outcome.kind}`);
  const seconds = (Date.now() - started) / 1000;
  await repos.runs.saveCheckpoint(runId, doneKey(stage, unit), 0, outcome.bytes, {
    worker,
    pid: process.pid,
    seconds,
  });
  await repos.runs.deleteCheckpoint(runId, unitKey(stage, unit));
  await note(`${stage}:${unit} done on worker ${worker} after ${seconds.toFixed(1)} s`);
  return 'done';
}
