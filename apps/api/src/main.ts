/**
 * Starts Concord: API + worker in one process by default (embedded PGlite in .data/), or either
 * alone with RUN_WORKER=false / RUN_API=false (server mode, DATABASE_URL). On the first start of
 * an empty database it seeds the emoji demo corpus in the background (DEMO_CORPUS).
 */
import { startApp } from './app.ts';
import { startDemoSeeding } from './demo/seed-demo-corpus.ts';
import { parseEnv } from './env.ts';
import { consoleLogger } from './logger.ts';

const env = parseEnv();
const app = await startApp(env, consoleLogger);
const parts = [env.RUN_API ? 'API' : null, env.RUN_WORKER ? 'worker' : null]
  .filter(Boolean)
  .join(' + ');
// The key goes out before the ready line: whoever waits for "ready" (a supervisor, the tests)
// has it by then, since both are on stdout in this order.
if (app.adminKey) {
  console.log(
    `\nFirst start: an admin API key was created. It is shown only this once:\n\n  ${app.adminKey}\n\nSend it as "Authorization: Bearer <key>".\n`,
  );
}
console.log(
  `Concord ${parts} (${app.deps.db.mode} database)${app.url ? ` ready at ${app.url}` : ' running'}`,
);

const seedDemo =
  env.DEMO_CORPUS === 'on' || (env.DEMO_CORPUS === 'auto' && app.deps.db.mode === 'embedded');
const seeding = seedDemo
  ? startDemoSeeding(app.deps, {
      firstStart: app.adminKey !== null,
      perCategory: env.DEMO_CORPUS_PER_CATEGORY ?? null,
    })
  : null;
if (seeding && app.adminKey) {
  console.log(
    'Seeding the emoji demo corpus in the background (progress in the log; DEMO_CORPUS=off skips it); a model is trained and promoted after it.',
  );
}

async function shutdown(): Promise<void> {
  await seeding?.stop();
  await app.stop();
  process.exit(0);
}
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());
