/**
 * What a fanned-out training run keeps in `training_checkpoint`, one row per key:
 * - `data`: the run's snapshot (the training set's item ids with their splits, sites and labels,
 *   the fitted text featuriser, resolved DRCL args and the plan), taken once when the run starts,
 *   so every unit on every worker trains on the same items; no feature vectors (each job loads its
 *   own by id), so it stays a few bytes per item;
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
import type { ModalitySet, TrainingSet } from './load-training-data.ts';

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

/**
 * Snapshot format 2 holds ids, not vectors. Format 1 (before it, no `format` field) held every
 * item's vectors; a run planned with it does not resume: decoding it fails the run with a reason.
 */
export const SNAPSHOT_FORMAT = 2;

export interface RunSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  data: TrainingSet;
  args: DrclArgs;
  plan: TrainingPlan;
}

/** Saves the snapshot; returns its size in bytes. */
export async function saveSnapshot(
  deps: AppDeps,
  runId: string,
  snapshot: RunSnapshot,
): Promise<number> {
  const bytes = encodeBundle(snapshot);
  await deps.repos.runs.saveCheckpoint(runId, DATA_KEY, 0, bytes, { plan: snapshot.plan });
  return bytes.byteLength;
}

export async function loadSnapshot(deps: AppDeps, runId: string): Promise<RunSnapshot | null> {
  const row = await deps.repos.runs.checkpoint(runId, DATA_KEY);
  if (!row) return null;
  const snapshot = decodeBundle(row.state) as Partial<RunSnapshot>;
  if (snapshot.format !== SNAPSHOT_FORMAT)
    throw new Error(
      `the run's data snapshot has format ${String(snapshot.format ?? 1)}, this worker reads format ${SNAPSHOT_FORMAT} only (the run was planned by an older version); start a new run`,
    );
  return snapshot as RunSnapshot;
}

/** The snapshot's set of a unit's modality (an SPL unit is `<modality>` or `<modality>@site<n>`). */
export function modalityOf(snapshot: RunSnapshot, stage: UnitStage, unit: string): ModalitySet {
  const set = snapshot.data.modalities.find((m) =>
    stage === 'rsc' ? m.name === unit : unit === m.name || unit.startsWith(`${m.name}@`),
  );
  if (!set) throw new Error(`the run has no modality for unit ${stage}:${unit}`);
  return set;
}

/** This process, as recorded next to the units it trains: host/pid. */
export function workerId(): string {
  return `${hostname()}/${process.pid}`;
}

export function noteFor(deps: AppDeps, runId: string) {
  return (message: string, level = 'info') =>
    deps.repos.runs.appendLog(runId, { at: new Date().toISOString(), level, message });
}

/**
 * A unit or step failed. A lost database connection (the server restarting, a network blip) is
 * thrown on, so pg-boss retries the job, which resumes from its checkpoint; any other error fails
 * the run with its reason.
 */
export async function failRun(deps: AppDeps, run: TrainingRun, error: unknown): Promise<void> {
  if (isConnectionError(error)) {
    deps.log.error('training job lost the database; pg-boss retries it', error, { runId: run.id });
    // pg-boss 10 does not await its own `fail` after a handler throws: thrown while the server is
    // still down, that rejection would be unhandled and end the process. Wait for the server first.
    await waitForDatabase(deps, deps.env.TRAINING_JOB_EXPIRE_SECONDS * 1000);
    throw error;
  }
  const message = error instanceof Error ? error.message : String(error);
  deps.log.error('training run failed', error, { runId: run.id });
  await noteFor(deps, run.id)(message, 'error').catch(() => undefined);
  if (await deps.repos.runs.finish(run.id, 'FAILED', message)) {
    await emitEvent(deps, run.datasetId, 'run.failed', { runId: run.id, error: message });
  }
}

async function waitForDatabase(deps: AppDeps, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      await deps.db.sql.query('SELECT 1');
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000',
  '08001',
  '08003',
  '08006',
]);
const CONNECTION_MESSAGE =
  /Connection terminated|connection (?:is )?closed|terminating connection|database system is (?:starting up|shutting down|in recovery mode)|ECONNREFUSED|ECONNRESET|Can't reach database server|connection error/i;

/** Whether `error` (or what caused it) is a lost or refused database connection. */
export function isConnectionError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const { code, message, cause } = e as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
    if (typeof message === 'string' && CONNECTION_MESSAGE.test(message)) return true;
    e = cause;
  }
  return false;
}
