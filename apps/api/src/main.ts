/**
 * Starts Concord: API + worker in one process by default (embedded PGlite in .data/), or either
 * alone with RUN_WORKER=false / RUN_API=false (server mode, DATABASE_URL).
 */
import { startApp } from './app.ts';
import { parseEnv } from './env.ts';
import { consoleLogger } from './logger.ts';

const env = parseEnv();
const app = await startApp(env, consoleLogger);
const parts = [env.RUN_API ? 'API' : null, env.RUN_WORKER ? 'worker' : null]
  .filter(Boolean)
  .join(' + ');
console.log(
  `Concord ${parts} (${app.deps.db.mode} database)${app.url ? ` ready at ${app.url}` : ' running'}`,
);
if (app.adminKey) {
  console.log(
    `\nFirst start: an admin API key was created. It is shown only this once:\n\n  ${app.adminKey}\n\nSend it as "Authorization: Bearer <key>".\n`,
  );
}

async function shutdown(): Promise<void> {
  await app.stop();
  process.exit(0);
}
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());
