/**
 * Restores a backup made by backup.ts into the database the app is configured for:
 *
 *   npm run restore -w @concord/api -- --in concord.backup [--clean]
 *
 * Server mode (DATABASE_URL): pg_restore into that database, which must be empty unless --clean.
 * Embedded mode (CONCORD_DATA_DIR): recreates the data directory, which must not exist or be
 * empty (move the old one aside first). Start the app afterwards; migrations then catch up.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { restoreEmbedded, restoreServer } from '@concord/db/backup';
import { parseEnv } from '../env.ts';

const { values } = parseArgs({
  options: { in: { type: 'string' }, clean: { type: 'boolean', default: false } },
});
if (!values.in) {
  console.error('usage: restore --in <file> [--clean]');
  process.exit(2);
}
const file = resolve(process.env.INIT_CWD ?? process.cwd(), values.in);
const env = parseEnv();
if (env.DATABASE_URL) {
  await restoreServer(env.DATABASE_URL, file, values.clean);
  console.log(`Restored ${file} into the server database.`);
} else {
  await restoreEmbedded(file, env.CONCORD_DATA_DIR);
  console.log(`Restored ${file} into ${env.CONCORD_DATA_DIR}.`);
}
