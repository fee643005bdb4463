/**
 * The platform as a newcomer starts it: the root package.json's `start` command (scripts/start.ts:
 * the API + worker and the dashboard, built first when stale), run the way npm runs it (`sh -c`
 * with node_modules/.bin on the PATH; not npm itself, which exits on SIGTERM without waiting for
 * the command), on an embedded database in a given folder and free ports.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const START = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PackageJson).scripts
  .start;

interface PackageJson {
  scripts: { start: string };
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Ready {
  /** The API's base URL, as it printed it (`…/`; GraphQL at `…/graphql`). */
  apiUrl: string;
  /** The dashboard, without a trailing slash. */
  webUrl: string;
  /** Printed on the first start of an empty database only. */
  adminKey: string | null;
  apiPid: number;
  webPid: number;
}

export interface Platform {
  output(): string;
  exited: Promise<Exit>;
  /** Resolves on the launcher's ready line; rejects when it exits first or after `ms`. */
  ready(ms: number): Promise<Ready>;
  /** SIGTERM, as a terminal's Ctrl-C or a supervisor would send; SIGKILL after `ms`. */
  stop(ms?: number): Promise<Exit>;
  /** Cleanup after a failure: SIGKILL to the launcher and to every child it reported. */
  kill(): void;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

export function launchPlatform(options: {
  dataDir: string;
  webPort: number;
  env?: Record<string, string>;
  echo?: (line: string) => void;
}): Platform {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH ?? ''}`,
    CONCORD_DATA_DIR: options.dataDir,
    HOST: '127.0.0.1',
    PORT: '0',
    WEB_HOST: '127.0.0.1',
    WEB_PORT: String(options.webPort),
    DASHBOARD: 'on',
    ...options.env,
  };
  // The embedded database, whatever the caller's shell has.
  delete env.DATABASE_URL;
  // Its own process group: a Ctrl-C reaches every process of it, and so does stop().
  // The script starts with `exec` (the shell becomes the command, so a signal reaches the
  // launcher and its exit status is the launcher's); npm runs it the same way.
  if (!START.startsWith('exec ')) throw new Error(`npm start should exec its command: ${START}`);
  const child = spawn('sh', ['-c', START], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const listeners = new Set<() => void>();
  const take = (chunk: Buffer) => {
    const piece = chunk.toString('utf8');
    text += piece;
    for (const line of piece.split('\n')) if (line) options.echo?.(line);
    for (const listener of listeners) listener();
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const pids = () =>
    [/starting the API \+ worker \(pid (\d+)\)/, /starting the dashboard \(pid (\d+)\)/]
      .map((pattern) => Number(pattern.exec(text)?.[1]))
      .filter((pid) => pid > 0);

  const ready = (ms: number) =>
    new Promise<Ready>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`the platform was not ready after ${ms} ms:\n${text}`));
      }, ms);
      const check = () => {
        const web = /\[concord\] ready: dashboard (http\S+?)\/? \(API/.exec(text);
        if (!web) return;
        done();
        resolve({
          apiUrl: /ready at (http\S+)/.exec(text)![1]!,
          webUrl: web[1]!,
          adminKey: /(ck_[0-9a-f]{12}_[A-Za-z0-9_-]{43})/.exec(text)?.[1] ?? null,
          apiPid: pids()[0]!,
          webPid: pids()[1]!,
        });
      };
      listeners.add(check);
      check();
      void exited.then((exit) => {
        done();
        reject(
          new Error(`the platform exited (${JSON.stringify(exit)}) before it was ready:\n${text}`),
        );
      });
    });

  const kill = () => {
    for (const pid of [child.pid, ...pids()]) killGroup(pid, 'SIGKILL');
  };

  const stop = async (ms = 60_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return exited;
    killGroup(child.pid, 'SIGTERM');
    const timer = setTimeout(kill, ms);
    const exit = await exited;
    clearTimeout(timer);
    return exit;
  };

  return { output: () => text, exited, ready, stop, kill };
}
