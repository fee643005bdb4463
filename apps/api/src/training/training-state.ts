/**
 * What a fanned-out training run keeps in `training_checkpoint`, one row per key:
 * - `data`: the run's snapshot (training data, featurisers, resolved DRCL args and the plan), taken
 *   once when the run starts, so every unit on every worker trains on the same items;
 * - `unit:<stage>:<unit>`: the in-progress checkpoint of one unit (resume point after a crash);
 * - `done:<stage>:<unit>`: a unit's result (encodeBundle), with the worker that trained it;
 * - `prior`: the chosen prior, once every SPL candidate is done.
 * All rows go when the run succeeds.
 */
import { hostname } from 'node:os';
import type { TrainingRun } from '@concord/db';
import { decodeBundle, encodeBundle, type DrclArgs } from '@concord/drcl';
import type { AppDeps } from '../context.ts';
import { emitEvent } from '../services/webhooks/emit-event.ts';
import type { TrainingData } from './load-training-data.ts';

export type UnitStage = 'spl' | 'rsc';

export const DATA_KEY = 'data';
export const PRIOR_KEY = 'prior';
export const unitKey = (stage: UnitStage, unit: string) => `unit:${stage}:${unit}`;
export const doneKey = (stage: UnitStage, unit: string) => `done:${stage}:${unit}`;
export const donePrefix = (stage: UnitStage) => `done:${stage}:`;

/** The units of a run: SPL prior candidates, then one RSC unit per modality. */
export interface TrainingPlan {
  spl: string[];
  rsc: string[];
}

export interface RunSnapshot {
  data: Omit<TrainingData, 'lsa'>;
  args: DrclArgs;
  plan: TrainingPlan;
}

export async function saveSnapshot(
  deps: AppDeps,
  runId: string,
  snapshot: RunSnapshot,
): Promise<void> {
  await deps.repos.runs.saveCheckpoint(runId, DATA_KEY, 0, encodeBundle(snapshot), {
    plan: snapshot.plan,
  });
}

export async function loadSnapshot(deps: AppDeps, runId: string): Promise<RunSnapshot | null> {
  const row = await deps.repos.runs.checkpoint(runId, DATA_KEY);
  return row ? (decodeBundle(row.state) as RunSnapshot) : null;
}

/** This process, as recorded next to the units it trains: host/pid. */
export function workerId(): string {
  return `${hostname()}/${process.pid}`;
}

export function noteFor(deps: AppDeps, runId: string) {
  return (message: string, level = 'info') =>
    deps.repos.runs.appendLog(runId, { at: new Date().toISOString(), level, message });
}

/** A unit or step failed for a reason a retry would not fix: the run fails with that reason. */
export async function failRun(deps: AppDeps, run: TrainingRun, error: unknown): Promise<void> {
  const message = error instanceof Error ? error.message : String(error);
  deps.log.error('training run failed', error, { runId: run.id });
  await noteFor(deps, run.id)(message, 'error').catch(() => undefined);
  if (await deps.repos.runs.finish(run.id, 'FAILED', message)) {
    await emitEvent(deps, run.datasetId, 'run.failed', { runId: run.id, error: message });
  }
}
