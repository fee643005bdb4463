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
