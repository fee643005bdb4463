/**
 * The job queue: pg-boss 10 in both modes — on the PostgreSQL server, or on the embedded PGlite
 * through a `db` adapter (parameterless SQL via `exec`, which takes several statements; the rest
 * via `query`). Queues: training runs (plan → units → assemble), bulk ingestions, webhook
 * deliveries, and a minutely retraining tick.
 *
 * A training run fans out on pg-boss itself: the `training` job plans the run and sends one
 * `training-unit` job per SPL prior candidate; the fan-in (`advanceTrainingRun`) sends one
 * `training-unit` job per modality's RSC once every candidate is done, then one
 * `training-assemble` job. Job ids are derived from (run, step, slice), so pg-boss inserts each job
 * once (`ON CONFLICT DO NOTHING`) however often the fan-in runs. Any number of worker processes
 * take the units; each process works one job of each queue at a time.
 *
 * A bulk ingestion is one `ingestion` job per slice (job id from the ingestion and the attempt
 * that sent it); retried when it expires or throws, and failed with the
 * reason through `ingestion-dead` when the retries run out.
 */
import { createHash } from 'node:crypto';
import type { Database } from '@concord/db';
import PgBoss from 'pg-boss';
import type { AppDeps } from '../context.ts';
import type { Env } from '../env.ts';
import type { RetrainPolicy } from '../services/datasets/retrain-policy.ts';
import type { TrainingUnitJob } from '../training/train-unit.ts';
import { guardJobOutcomes } from './job-outcomes.ts';

export const TRAINING_QUEUE = 'training';
export const TRAINING_UNIT_QUEUE = 'training-unit';
export const TRAINING_ASSEMBLE_QUEUE = 'training-assemble';
export const WEBHOOK_QUEUE = 'webhook';
export const RETRAIN_TICK_QUEUE = 'retrain-tick';
/** Training jobs that exhausted their retries land here, and their run fails with the reason. */
export const TRAINING_DEAD_QUEUE = 'training-dead';
export const INGESTION_QUEUE = 'ingestion';
/** Ingestion jobs that exhausted their retries: the ingestion fails with the reason. */
export const INGESTION_DEAD_QUEUE = 'ingestion-dead';

export interface JobQueue {
  enqueueTraining(runId: string): Promise<void>;
  /** Units already queued (same run, unit and slice) are not queued again. */
  enqueueTrainingUnits(runId: string, units: TrainingUnitJob[]): Promise<void>;
  enqueueAssemble(runId: string): Promise<void>;
  enqueueWebhook(deliveryId: string): Promise<void>;
  /** A slice of a bulk ingestion: the first (0), or the one after the job of attempt `slice`. */
  enqueueIngestion(ingestionId: string, slice?: number): Promise<void>;
  /** Schedules are evaluated by the minutely tick; kept as a hook for policy changes. */
  syncSchedule(datasetId: string, policy: RetrainPolicy): Promise<void>;
}

export type Handlers = {
  training: {
    plan: (runId: string) => Promise<void>;
    unit: (job: TrainingUnitJob, retryCount: number) => Promise<void>;
    assemble: (runId: string) => Promise<void>;
    /** A training job that failed for good (its workers kept dying or it kept expiring). */
    dead: (runId: string, what: string) => Promise<void>;
  };
  ingestion: {
    run: (ingestionId: string) => Promise<void>;
    /** An ingestion job that failed for good. */
    dead: (ingestionId: string) => Promise<void>;
  };
  webhook: (deliveryId: string) => Promise<'delivered' | 'retry' | 'failed'>;
  tick: () => Promise<void>;
};

/** A stable job id: the same step of the same run is one pg-boss job. */
export function trainingJobId(...parts: (string | number)[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export class PgBossQueue implements JobQueue {
  private constructor(
    private readonly boss: PgBoss,
    private readonly env: Env,
  ) {}

  static async start(db: Database, env: Env, serverUrl: string | null): Promise<PgBossQueue> {
    const common = {
      schema: 'pgboss',
      maintenanceIntervalSeconds: env.JOB_MAINTENANCE_SECONDS,
      monitorStateIntervalSeconds: Math.max(env.JOB_MAINTENANCE_SECONDS, 10),
    };
    guardJobOutcomes((message, error) => console.error(`${message}:`, error));
    const boss =
      db.pglite !== null
        ? new PgBoss({ ...common, db: pgliteDb(db.pglite) })
        : new PgBoss({ ...common, connectionString: serverUrl!, max: 4 });
    boss.on('error', (error: unknown) => console.error('pg-boss:', error));
    await boss.start();
    await boss.createQueue(TRAINING_DEAD_QUEUE, { name: TRAINING_DEAD_QUEUE });
    for (const name of [TRAINING_QUEUE, TRAINING_UNIT_QUEUE, TRAINING_ASSEMBLE_QUEUE]) {
      await boss.createQueue(name, { name, ...trainingJobOptions(env) });
    }
    await boss.createQueue(INGESTION_DEAD_QUEUE, { name: INGESTION_DEAD_QUEUE });
    await boss.createQueue(INGESTION_QUEUE, { name: INGESTION_QUEUE, ...ingestionJobOptions(env) });
    await boss.createQueue(WEBHOOK_QUEUE, {
      name: WEBHOOK_QUEUE,
      retryLimit: env.WEBHOOK_MAX_ATTEMPTS - 1,
      retryDelay: env.WEBHOOK_RETRY_SECONDS,
      retryBackoff: true,
    });
    await boss.createQueue(RETRAIN_TICK_QUEUE, { name: RETRAIN_TICK_QUEUE });
    return new PgBossQueue(boss, env);
  }

  async enqueueTraining(runId: string): Promise<void> {
    await this.boss.send(
      TRAINING_QUEUE,
      { runId },
      { id: trainingJobId(runId, 'plan'), ...trainingJobOptions(this.env) },
    );
  }

  async enqueueTrainingUnits(runId: string, units: TrainingUnitJob[]): Promise<void> {
    for (const unit of units) {
      await this.boss.send(TRAINING_UNIT_QUEUE, unit, {
        id: trainingJobId(runId, unit.stage, unit.unit, unit.slice),
        ...trainingJobOptions(this.env),
      });
    }
  }

  async enqueueAssemble(runId: string): Promise<void> {
    await this.boss.send(
      TRAINING_ASSEMBLE_QUEUE,
      { runId },
      { id: trainingJobId(runId, 'assemble'), ...trainingJobOptions(this.env) },
    );
  }

  async enqueueIngestion(ingestionId: string, slice = 0): Promise<void> {
    await this.boss.send(
      INGESTION_QUEUE,
      { ingestionId },
      { id: trainingJobId(ingestionId, 'ingest', slice), ...ingestionJobOptions(this.env) },
    );
  }

  async enqueueWebhook(deliveryId: string): Promise<void> {
    await this.boss.send(
      WEBHOOK_QUEUE,
      { deliveryId },
      {
        retryLimit: this.env.WEBHOOK_MAX_ATTEMPTS - 1,
        retryDelay: this.env.WEBHOOK_RETRY_SECONDS,
        retryBackoff: true,
      },
    );
  }

  syncSchedule(): Promise<void> {
    return Promise.resolve();
  }

  /** Starts this process's workers (the `worker` side). */
  async work(handlers: Handlers): Promise<void> {
    const polling = { pollingIntervalSeconds: this.env.JOB_POLL_SECONDS, batchSize: 1 };
    await this.boss.work<{ runId: string }>(TRAINING_QUEUE, polling, async ([job]) => {
      if (job) await handlers.training.plan(job.data.runId);
    });
    await this.boss.work<TrainingUnitJob>(
      TRAINING_UNIT_QUEUE,
      { ...polling, includeMetadata: true },
      async ([job]) => {
        if (job) await handlers.training.unit(job.data, job.retryCount);
      },
    );
    await this.boss.work<{ runId: string }>(TRAINING_ASSEMBLE_QUEUE, polling, async ([job]) => {
      if (job) await handlers.training.assemble(job.data.runId);
    });
    await this.boss.work<{ runId: string; stage?: string; unit?: string }>(
      TRAINING_DEAD_QUEUE,
      polling,
      async ([job]) => {
        if (job)
          await handlers.training.dead(
            job.data.runId,
            job.data.stage ? `unit ${job.data.stage}:${job.data.unit}` : 'a training step',
          );
      },
    );
    await this.boss.work<{ ingestionId: string }>(INGESTION_QUEUE, polling, async ([job]) => {
      if (job) await handlers.ingestion.run(job.data.ingestionId);
    });
    await this.boss.work<{ ingestionId: string }>(INGESTION_DEAD_QUEUE, polling, async ([job]) => {
      if (job) await handlers.ingestion.dead(job.data.ingestionId);
    });
    await this.boss.work<{ deliveryId: string }>(WEBHOOK_QUEUE, polling, async ([job]) => {
      if (job && (await handlers.webhook(job.data.deliveryId)) === 'retry') {
        throw new Error('webhook delivery failed; retrying with backoff');
      }
    });
    await this.boss.work(RETRAIN_TICK_QUEUE, polling, async () => {
      await handlers.tick();
    });
    await this.boss.schedule(RETRAIN_TICK_QUEUE, '* * * * *');
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: false, wait: true, timeout: 5000 });
  }
}

/**
 * Training jobs are retried only when they expire (a worker died: pg-boss 10 has no heartbeat);
 * a unit checkpoints every epoch and stops itself well inside the expiry (TRAINING_SLICE_SECONDS),
 * so a short expiry resumes a dead worker's unit promptly on another worker.
 */
function trainingJobOptions(env: Env) {
  return {
    deadLetter: TRAINING_DEAD_QUEUE,
    retryLimit: env.TRAINING_JOB_RETRY_LIMIT,
    expireInSeconds: env.TRAINING_JOB_EXPIRE_SECONDS,
  };
}

/**
 * An ingestion slice stops itself after INGESTION_SLICE_SECONDS; the expiry (a dead worker's job
 * is retried after it) stays a little above that.
 */
function ingestionJobOptions(env: Env) {
  return {
    deadLetter: INGESTION_DEAD_QUEUE,
    retryLimit: env.INGESTION_JOB_RETRY_LIMIT,
    expireInSeconds: env.INGESTION_JOB_EXPIRE_SECONDS,
  };
}

/** pg-boss's `db` on PGlite: one connection, so everything goes through PGlite's own queue. */
function pgliteDb(pglite: NonNullable<Database['pglite']>): PgBoss.Db {
  return {
    async executeSql(text: string, values?: unknown[]) {
      if (!values || values.length === 0) {
        const results = await pglite.exec(text);
        return { rows: results.at(-1)?.rows ?? [] };
      }
      const result = await pglite.query(text, values);
      return { rows: result.rows };
    },
  };
}

export type { AppDeps };
