/**
 * Composition root: opens the database, builds the dependencies, and starts the API and/or the
 * worker. main.ts and the tests both go through `startApp`.
 */
import { createRepositories, openDatabase, type Database } from '@concord/db';
import { initBackend } from '@concord/drcl';
import type { AppDeps } from './context.ts';
import type { Env } from './env.ts';
import { Featurisers } from './featurisers.ts';
import { ingestionHandlers } from './jobs/ingestion-handlers.ts';
import { PgBossQueue } from './jobs/queue.ts';
import { requeueStrandedIngestions } from './jobs/requeue-ingestions.ts';
import { retrainTick } from './jobs/retrain-tick.ts';
import { sweepUnembedded } from './services/embeddings/sweep-unembedded.ts';
import type { Logger } from './logger.ts';
import { createServer, type ConcordServer } from './server.ts';
import { ensureAdminKey } from './services/auth/manage-api-keys.ts';
import { ModelRuntime } from './services/models/model-runtime.ts';
import { deliverWebhook } from './services/webhooks/deliver-webhook.ts';
import { trainingHandlers } from './training/training-handlers.ts';

export interface RunningApp {
  deps: AppDeps;
  url: string | null;
  /** The first admin key, when this start created it (print it once). */
  adminKey: string | null;
  server: ConcordServer | null;
  stop(): Promise<void>;
}

export async function startApp(
  env: Env,
  log: Logger,
  options: { db?: Database; serverUrl?: string | null } = {},
): Promise<RunningApp> {
  const serverUrl = options.serverUrl ?? env.DATABASE_URL ?? null;
  const db =
    options.db ??
    (await openDatabase(
      serverUrl
        ? { mode: 'server', url: serverUrl, poolSize: env.DATABASE_POOL_SIZE }
        : { mode: 'embedded', dataDir: env.CONCORD_DATA_DIR },
    ));
  // TensorFlow.js for query embedding: the WASM backend (or tfjs-node where it installs).
  await initBackend();
  const repos = createRepositories(db);
  const queue = await PgBossQueue.start(db, env, serverUrl);
  const deps: AppDeps = {
    db,
    repos,
    env,
    queue,
    featurisers: new Featurisers({
      defaultImage: env.IMAGE_FEATURISER,
      modelsDir: env.CONCORD_MODELS_DIR,
      maxPixels: env.MAX_IMAGE_PIXELS,
      threads: env.IMAGE_FEATURISER_THREADS,
      maxQueue: env.IMAGE_FEATURISER_QUEUE,
    }),
    runtime: new ModelRuntime(repos),
    log,
  };
  const adminKey = await ensureAdminKey(deps);
  if (env.RUN_WORKER) {
    await queue.work({
      training: trainingHandlers(deps),
      ingestion: ingestionHandlers(deps),
      webhook: (deliveryId) => deliverWebhook(deps, deliveryId),
      tick: async () => {
        await retrainTick(deps);
        await requeueStrandedIngestions(deps);
        await sweepUnembedded(deps);
      },
    });
  }
  let server: ConcordServer | null = null;
  let url: string | null = null;
  if (env.RUN_API) {
    server = createServer(deps);
    url = await server.listen(env.PORT, env.HOST);
  }
  return {
    deps,
    url,
    adminKey,
    server,
    async stop() {
      await server?.stop();
      await queue.stop();
      await deps.featurisers.dispose();
      if (!options.db) await db.close();
    },
  };
}
