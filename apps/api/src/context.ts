/** What every resolver gets: the app's dependencies, the caller, and this request's DataLoaders. */
import type { Database, Repositories } from '@concord/db';
import type { Principal } from './auth/principal.ts';
import type { Env } from './env.ts';
import type { Featurisers } from './featurisers.ts';
import type { JobQueue } from './jobs/queue.ts';
import { createLoaders, type Loaders } from './loaders.ts';
import type { Logger } from './logger.ts';
import type { ModelRuntime } from './services/models/model-runtime.ts';

export interface AppDeps {
  db: Database;
  repos: Repositories;
  env: Env;
  queue: JobQueue;
  featurisers: Featurisers;
  runtime: ModelRuntime;
  log: Logger;
}

export interface Context {
  deps: AppDeps;
  principal: Principal | null;
  loaders: Loaders;
  requestId: string;
}

export function createContext(deps: AppDeps, principal: Principal | null): Context {
  return {
    deps,
    principal,
    loaders: createLoaders(deps.repos, deps.db.embeddings),
    requestId: crypto.randomUUID(),
  };
}
