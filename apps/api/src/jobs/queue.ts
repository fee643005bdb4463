/**
 * The job queue: pg-boss 10 in both modes — on the PostgreSQL server, or on the embedded PGlite
 * through a `db` adapter (parameterless SQL via `exec`, which takes several statements; the rest
 * via `query`). Queues: training runs, webhook deliveries, and a minutely retraining tick.
 */
import type { Database } from '@concord/db';
import PgBoss from 'pg-boss';
import type { AppDeps } from '../context.ts';
import type { Env } from '../env.ts';
import type { RetrainPolicy } from '../services/datasets/retrain-policy.ts';

export const TRAINING_QUEUE = 'training';
export const WEBHOOK_QUEUE = 'webhook';
export const RETRAIN_TICK_QUEUE = 'retrain-tick';

export interface JobQueue {
  enqueueTraining(runId: string): Promise<void>;
  enqueueWebhook(deliveryId: string): Promise<void>;
  /** Schedules are evaluated by the minutely tick; kept as a hook for policy changes. */
  syncSchedule(datasetId: string, policy: RetrainPolicy): Promise<void>;
}

export type Handlers = {
  training: (runId: string) => Promise<void>;
  webhook: (deliveryId: string) => Promise<'delivered' | 'retry' | 'failed'>;
  tick: () => Promise<void>;
};

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
    const boss =
      db.pglite !== null
        ? new PgBoss({ ...common, db: pgliteDb(db.pglite) })
        : new PgBoss({ ...common, connectionString: serverUrl!, max: 4 });
    boss.on('error', (error: unknown) => console.error('pg-boss:', error));
    await boss.start();
    await boss.createQueue(TRAINING_QUEUE, {
      name: TRAINING_QUEUE,
      retryLimit: env.TRAINING_JOB_RETRY_LIMIT,
      expireInSeconds: env.TRAINING_JOB_EXPIRE_SECONDS,
    });
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
      {
        singletonKey: runId,
        retryLimit: this.env.TRAINING_JOB_RETRY_LIMIT,
        expireInSeconds: this.env.TRAINING_JOB_EXPIRE_SECONDS,
      },
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
      if (job) await handlers.training(job.data.runId);
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
