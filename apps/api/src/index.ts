// Public API of @concord/api, for benchmarks and tools that start the app in-process.
export { startApp, type RunningApp } from './app.ts';
export { parseEnv, type Env } from './env.ts';
export { consoleLogger, silentLogger, type Logger } from './logger.ts';
export {
  importItems,
  SYSTEM_PRINCIPAL,
  type ImportArgs,
  type ImportProgress,
  type ImportSummary,
} from './import/import-items.ts';
export { importVectors, type ImportVectorsArgs } from './import/import-vectors.ts';
