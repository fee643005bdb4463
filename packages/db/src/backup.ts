/**
 * Backup and restore of either database mode, as files:
 *
 * - embedded: PGlite's own `dumpDataDir` (a gzipped tar of the data directory, taken by the
 *   engine, so consistent) and `loadDataDir` into a new directory. PGlite is single-process: the
 *   app using the directory must be stopped first.
 * - server: `pg_dump --format=custom` and `pg_restore` of the PostgreSQL client installed beside
 *   the server (Debian's postgresql-client; its major version must be at least the server's).
 *   The app may keep running: pg_dump reads one consistent snapshot.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import pg from 'pg';

/** Writes the embedded data directory `dataDir` to `file` (gzipped tar). */
export async function backupEmbedded(dataDir: string, file: string): Promise<number> {
  if (!existsSync(dataDir) || readdirSync(dataDir).length === 0)
    throw new Error(`No embedded database in ${dataDir}.`);
  const pglite = await PGlite.create(dataDir, { extensions: { vector } });
  try {
    const blob = await pglite.dumpDataDir('gzip');
    const bytes = Buffer.from(await blob.arrayBuffer());
    await writeFile(file, bytes);
    return bytes.length;
  } finally {
    await pglite.close();
  }
}

/** Recreates an embedded data directory from a backup; `dataDir` must be absent or empty. */
export async function restoreEmbedded(file: string, dataDir: string): Promise<void> {
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0)
    throw new Error(`${dataDir} is not empty: restore into a new directory.`);
  const archive = new Blob([await readFile(file)], { type: 'application/x-gzip' });
  const pglite = await PGlite.create(dataDir, { loadDataDir: archive, extensions: { vector } });
  try {
    await pglite.query('SELECT 1');
  } finally {
    await pglite.close();
  }
}

/** pg_dump of the database at `url` to `file` (custom format, for pg_restore). */
export async function backupServer(url: string, file: string): Promise<void> {
  const target = connection(url);
  await run(
    'pg_dump',
    ['--format=custom', '--no-owner', '--no-privileges', `--file=${file}`, target.url],
    target.env,
  );
}

/**
 * pg_restore of `file` into the database at `url`, in one transaction. The database must hold no
 * tables unless `clean` (then what the backup holds is dropped and recreated).
 */
export async function restoreServer(url: string, file: string, clean = false): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM information_schema.tables
       WHERE table_schema NOT IN ('pg_catalog', 'information_schema')`,
    );
    if (rows[0]!.n > 0 && !clean)
      throw new Error('The target database is not empty: restore into a new one, or pass --clean.');
  } finally {
    await client.end();
  }
  const target = connection(url);
  await run(
    'pg_restore',
    [
      '--no-owner',
      '--no-privileges',
      '--exit-on-error',
      '--single-transaction',
      ...(clean ? ['--clean', '--if-exists'] : []),
      `--dbname=${target.url}`,
      file,
    ],
    target.env,
  );
}

/** The URL without its password (which goes in PGPASSWORD, out of the process list). */
function connection(url: string): { url: string; env: Record<string, string> } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  return { url: parsed.toString(), env: password ? { PGPASSWORD: password } : {} };
}

function run(command: string, args: string[], env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'inherit', 'pipe'],
      env: { ...process.env, ...env },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', (error) =>
      reject(new Error(`${command} could not run (${error.message}); install postgresql-client.`)),
    );
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${command} exited with ${code}: ${stderr.trim()}`)),
    );
  });
}
