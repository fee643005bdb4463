/**
 * A PostgreSQL 15 cluster of the test's own (initdb into a temp folder, its own port, run as the
 * `postgres` user), so a test can restart the server without touching the shared one other
 * suites use. pgvector comes from the same installation (`scripts/ensure-postgres.sh`).
 */
import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN = '/usr/lib/postgresql/15/bin';

export interface ThrowawayPostgres {
  /** postgresql://root@127.0.0.1:<port>/concord */
  url: string;
  port: number;
  /** `pg_ctl restart`: `fast` disconnects every client, `immediate` is a crash restart. */
  restart(mode?: 'fast' | 'immediate'): Promise<void>;
  stop(): Promise<void>;
}

export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'concord-pg-'));
  const data = join(dir, 'data');
  const socket = dir;
  const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
  const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
  chownSync(dir, uid, gid);
  const asPostgres = (cmd: string, args: string[]) =>
    run('runuser', ['-u', 'postgres', '--', join(BIN, cmd), ...args], { timeout: 120_000 });
  await asPostgres('initdb', ['-D', data, '-U', 'root', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const options = `-p ${port} -k ${socket} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const ctl = (...args: string[]) =>
    asPostgres('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', ...args]);
  await ctl('start');
  await asPostgres('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'root', 'concord']);
  return {
    url: `postgresql://root@127.0.0.1:${port}/concord`,
    port,
    async restart(mode = 'fast') {
      await ctl('restart', '-m', mode);
    },
    async stop() {
      await ctl('stop', '-m', 'immediate').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
