/** Starts the API on the embedded database (default) or on DATABASE_URL. */
import { startStandaloneServer } from '@apollo/server/standalone';
import { openDatabase } from '@concord/db';
import { parseEnv } from './env.ts';
import { createServer } from './server.ts';

const env = parseEnv();
const db = await openDatabase(
  env.DATABASE_URL
    ? { mode: 'server', url: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE }
    : { mode: 'embedded', dataDir: env.CONCORD_DATA_DIR },
);
const server = createServer();
const { url } = await startStandaloneServer(server, {
  listen: { host: env.HOST, port: env.PORT },
  context: () => Promise.resolve({ db }),
});
console.log(`Concord API (${db.mode} database) ready at ${url}`);

async function shutdown(): Promise<void> {
  await server.stop();
  await db.close();
  process.exit(0);
}
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());
