/**
 * Concord as real OS processes for the scale-out and fault tests: `node --import tsx
 * apps/api/src/main.ts` with RUN_API/RUN_WORKER, port 0, output kept (and written to a log file
 * in the temp folder), and the URL and first admin key read from what the process prints.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const API_DIR = fileURLToPath(new URL('../../../../apps/api/', import.meta.url));

/** Short polling, maintenance, expiry and slices, so a test sees jobs move in seconds. */
export const FAST_JOBS: Record<string, string> = {
  NODE_ENV: 'test',
  HOST: '127.0.0.1',
  PORT: '0',
  JOB_POLL_SECONDS: '0.5',
  JOB_MAINTENANCE_SECONDS: '1',
  TRAINING_JOB_EXPIRE_SECONDS: '20',
  // Well inside the expiry, so a slow unit on a loaded machine continues in a new job instead of
  // being expired while it still runs (and the slicing itself runs in every test).
  TRAINING_SLICE_SECONDS: '8',
  TRAINING_JOB_RETRY_LIMIT: '3',
};

export type Role = 'api' | 'worker' | 'both';

export interface ConcordProcess {
  name: string;
  role: Role;
  child: ChildProcess;
  pid: number;
  url: string | null;
  adminKey: string | null;
  logPath: string;
  output(): string;
  /** Resolves with the exit code (or signal name) once the process is gone. */
  exited: Promise<number | string | null>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface SpawnOptions {
  name: string;
  role: Role;
  /** Server mode; without it the process runs on the embedded database in `dataDir`. */
  databaseUrl?: string;
  dataDir?: string;
  env?: Record<string, string>;
  /** How long to wait for the "ready"/"running" line. */
  timeoutMs?: number;
}

export async function spawnConcord(options: SpawnOptions): Promise<ConcordProcess> {
  const logPath = join(tmpdir(), `concord-${options.name}-${Date.now()}.log`);
  const log = createWriteStream(logPath);
  const inherited = { ...process.env };
  delete inherited.DATABASE_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: API_DIR,
    env: {
      ...inherited,
      ...FAST_JOBS,
      ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
      ...(options.dataDir ? { CONCORD_DATA_DIR: options.dataDir } : {}),
      RUN_API: String(options.role !== 'worker'),
      RUN_WORKER: String(options.role !== 'api'),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const take = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    log.write(chunk);
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  const exited = new Promise<number | string | null>((resolve) =>
    child.once('exit', (code, signal) => {
      log.end();
      resolve(code ?? signal);
    }),
  );
  const started = await Promise.race([
    waitForText(() => text, /Concord .* (ready at (\S+)|running)/, options.timeoutMs ?? 180_000),
    exited.then((code) => {
      throw new Error(`${options.name} exited (${String(code)}) before it was ready:\n${text}`);
    }),
  ]);
  const key = /shown only this once:\s+(\S+)/.exec(text);
  return {
    name: options.name,
    role: options.role,
    child,
    pid: child.pid!,
    url: started[2] ?? null,
    adminKey: key?.[1] ?? null,
    logPath,
    output: () => text,
    exited,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

async function waitForText(
  read: () => string,
  pattern: RegExp,
  timeoutMs: number,
): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(read());
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(pattern)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
