/**
 * Backs up the database the app is configured for, to one file:
 *
 *   npm run backup -w @concord/api -- --out concord.backup
 *
 * Server mode (DATABASE_URL): pg_dump's custom format; the app may keep running. Embedded mode
 * (CONCORD_DATA_DIR, default .data/): PGlite's dump of the data directory; stop the app first
 * (PGlite is single-process). Restore with `npm run restore` (restore.ts).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { backupEmbedded, backupServer } from '@concord/db/backup';
import { parseEnv } from '../env.ts';

const { values } = parseArgs({ options: { out: { type: 'string' } } });
if (!values.out) {
  console.error('usage: backup --out <file>');
  process.exit(2);
}
const out = resolve(process.env.INIT_CWD ?? process.cwd(), values.out);
const env = parseEnv();
if (env.DATABASE_URL) {
  await backupServer(env.DATABASE_URL, out);
  console.log(`Backed up the server database to ${out} (pg_dump custom format).`);
} else {
  const bytes = await backupEmbedded(env.CONCORD_DATA_DIR, out);
  console.log(`Backed up ${env.CONCORD_DATA_DIR} to ${out} (${bytes} bytes).`);
}
