/**
 * `npm start`: the API + worker (apps/api/src/main.ts) and the dashboard (`next start`), with
 * one ready line for both. The dashboard is built first when its build is missing or stale
 * (apps/web/scripts/build.ts decides), while the API starts. Ctrl-C or SIGTERM stops both (the
 * API gets one SIGTERM and closes its database); when either dies, the other is stopped and the
 * exit code is 1. `DASHBOARD=off` runs the API + worker alone (servers that run API replicas).
 * Environment: HOST/PORT (the API, see .env.example), WEB_HOST (default 127.0.0.1), WEB_PORT
 * (default 3000), DASHBOARD (on|off, default on); everything else reaches the API unchanged,
 * with DASHBOARD_URL set to the dashboard's address (linked from the API's landing page) unless
 * it is set already.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const API_DIR = join(ROOT, 'apps/api');
const WEB_DIR = join(ROOT, 'apps/web');
const NEXT_BIN = createRequire(join(WEB_DIR, 'package.json')).resolve('next/dist/bin/next');
/** How long the children get to stop after SIGTERM before they are killed. */
const STOP_TIMEOUT_MS = 30_000;

interface LauncherConfig {
  dashboard: boolean;
  webHost: string;
  webPort: number;
}

function parseConfig(env: NodeJS.ProcessEnv): LauncherConfig {
  const dashboard = env.DASHBOARD ?? 'on';
  if (dashboard !== 'on' && dashboard !== 'off') {
    throw new Error(`DASHBOARD must be on or off, not "${dashboard}"`);
  }
  if (dashboard === 'on' && (env.RUN_API === 'false' || env.RUN_API === '0')) {
    throw new Error('RUN_API=false leaves the dashboard without an API: set DASHBOARD=off too');
  }
  const webPort = Number(env.WEB_PORT ?? 3000);
  if (!Number.isInteger(webPort) || webPort < 1 || webPort > 65_535) {
    throw new Error(`WEB_PORT must be a port number (1-65535), not "${env.WEB_PORT}"`);
  }
  return { dashboard: dashboard === 'on', webHost: env.WEB_HOST || '127.0.0.1', webPort };
}

function say(message: string): void {
  console.log(`[concord] ${message}`);
}

interface Child {
  name: string;
  process: ChildProcess;
  exited: Promise<string>;
}

/**
 * Starts a child in a session and process group of its own (so a Ctrl-C reaches it only through
 * us, once), copies its stdout line by line (with `prefix`) and hands each line to `onLine`.
 */
function launch(
  name: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; prefix: string; onLine?: (line: string) => void },
): Child {
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    // The API logs JSON lines on stderr: passed through untouched.
    stdio: ['ignore', 'pipe', options.prefix ? 'pipe' : 'inherit'],
  });
  const copy = (stream: NodeJS.ReadableStream | null, out: NodeJS.WriteStream) => {
    if (!stream) return;
    createInterface({ input: stream }).on('line', (line) => {
      out.write(`${options.prefix}${line}\n`);
      options.onLine?.(line);
    });
  };
  copy(child.stdout, process.stdout);
  copy(child.stderr, process.stderr);
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) =>
      resolve(signal ? `signal ${signal}` : `exit code ${String(code)}`),
    ),
  );
  return { name, process: child, exited };
}

function isRunning(child: Child | null): child is Child {
  return child !== null && child.process.exitCode === null && child.process.signalCode === null;
}

/** The API's own URL as the dashboard's server should call it (a wildcard host is this host). */
function graphqlUrl(apiUrl: string): string {
  const url = new URL('graphql', apiUrl);
  if (url.hostname === '0.0.0.0' || url.hostname === '[::]') url.hostname = '127.0.0.1';
  return url.toString();
}

const config = (() => {
  try {
    return parseConfig(process.env);
  } catch (error) {
    console.error(`[concord] ${(error as Error).message}`);
    process.exit(2);
  }
})();
const children: Child[] = [];
let stopping = false;

function signalGroup(child: Child, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.process.pid!, signal);
  } catch {
    // it exited meanwhile
  }
}

/** Stops every running child (SIGTERM to its group, SIGKILL after the timeout), then exits. */
async function stopAll(exitCode: number, message: string): Promise<never> {
  stopping = true;
  say(message);
  const running = children.filter(isRunning);
  for (const child of running) signalGroup(child, 'SIGTERM');
  let killed = false;
  const kill = setTimeout(() => {
    for (const child of running.filter(isRunning)) {
      say(`the ${child.name} did not stop in ${STOP_TIMEOUT_MS / 1000} s: killing it`);
      signalGroup(child, 'SIGKILL');
      killed = true;
    }
  }, STOP_TIMEOUT_MS);
  const outcomes = await Promise.all(running.map(async (c) => `${c.name} ${await c.exited}`));
  clearTimeout(kill);
  if (outcomes.length) say(`stopped (${outcomes.join(', ')})`);
  process.exit(killed ? 1 : exitCode);
}

/** Any exit of a long-running child that we did not ask for stops the rest. */
function watch(child: Child): Child {
  children.push(child);
  void child.exited.then((how) => {
    if (!stopping) void stopAll(1, `the ${child.name} exited unexpectedly (${how}); stopping`);
  });
  return child;
}

/** Where the dashboard answers (a wildcard host is this host). */
function dashboardUrl(): string {
  const { webHost: host, webPort: port } = config;
  return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}/`;
}

/** `next start` against the API at `apiUrl`; resolves once it answers. */
async function startDashboard(apiUrl: string): Promise<void> {
  let announceReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (announceReady = resolve));
  const { webHost: host, webPort: port } = config;
  const web = watch(
    launch('dashboard', [NEXT_BIN, 'start', '--hostname', host, '--port', String(port)], {
      cwd: WEB_DIR,
      env: { ...process.env, CONCORD_API_URL: graphqlUrl(apiUrl), NEXT_TELEMETRY_DISABLED: '1' },
      prefix: '[web] ',
      onLine: (line) => {
        if (/Ready in/.test(line)) announceReady();
      },
    }),
  );
  say(`starting the dashboard (pid ${web.process.pid})`);
  await ready;
  if (!stopping) say(`ready: dashboard ${dashboardUrl()} (API ${graphqlUrl(apiUrl)})`);
}

// SIGHUP too: the children run in sessions of their own, so a closed terminal reaches only us.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    // npm and tsx relay a terminal's Ctrl-C that already reached us: stop once.
    if (!stopping) void stopAll(0, `${signal}: stopping`);
  });
}

let announceApiUrl: (url: string) => void = () => undefined;
const apiUrl = new Promise<string>((resolve) => (announceApiUrl = resolve));
const api = watch(
  launch('API', ['--import', 'tsx', 'src/main.ts'], {
    cwd: API_DIR,
    // The API's landing page links the dashboard it runs beside (unless DASHBOARD_URL says else).
    env: config.dashboard ? { DASHBOARD_URL: dashboardUrl(), ...process.env } : process.env,
    prefix: '',
    onLine: (line) => {
      const ready = /ready at (http\S+)/.exec(line);
      if (ready) announceApiUrl(ready[1]!);
    },
  }),
);
say(`starting the API + worker (pid ${api.process.pid})`);

if (config.dashboard) {
  const build = launch('dashboard build', ['--import', 'tsx', 'scripts/build.ts', '--if-stale'], {
    cwd: WEB_DIR,
    env: process.env,
    prefix: '[web] ',
  });
  children.push(build);
  const built = await build.exited;
  if (built !== 'exit code 0') {
    if (!stopping) await stopAll(1, `the dashboard build failed (${built}); stopping the API`);
  } else {
    const url = await apiUrl;
    if (!stopping) await startDashboard(url);
  }
}
