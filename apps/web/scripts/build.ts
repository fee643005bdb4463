/**
 * `next build`, stamped: after a build, `.next/concord-build.json` records a fingerprint of what
 * the build was made from and the BUILD_ID it produced. `--if-stale` builds only when there is no
 * build or the stamp does not match, so the root `npm start` reuses a build that is still good.
 *
 * The fingerprint is a SHA-256 of the contents (not the mtimes: a checkout or a copy changes
 * those freely) of src/ and public/, package.json, next.config.ts, tsconfig.json and the root
 * package-lock.json (the installed versions of Next, React and every other dependency). A plain
 * `next build` writes a new BUILD_ID without a matching stamp, so the next start builds once more.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const STAMP = '.next/concord-build.json';
const WEB_DIR = fileURLToPath(new URL('..', import.meta.url));

interface Stamp {
  fingerprint: string;
  buildId: string;
}

/** What a build of the app in `webDir` is made from (the lockfile sits two levels up). */
function inputs(webDir: string): string[] {
  return [
    join(webDir, 'src'),
    join(webDir, 'public'),
    join(webDir, 'package.json'),
    join(webDir, 'next.config.ts'),
    join(webDir, 'tsconfig.json'),
    join(webDir, '../../package-lock.json'),
  ];
}

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => filesUnder(join(path, entry.name)));
}

function fingerprint(webDir: string): string {
  const hash = createHash('sha256');
  for (const file of inputs(webDir).flatMap(filesUnder)) {
    hash.update(`${relative(webDir, file)}\0`);
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

function readBuildId(webDir: string): string | null {
  const path = join(webDir, '.next/BUILD_ID');
  return existsSync(path) ? readFileSync(path, 'utf8').trim() : null;
}

/** Records that `.next` (as it is now) was built from the inputs as they were at `fingerprint`. */
export function writeStamp(webDir: string, inputsFingerprint = fingerprint(webDir)): void {
  const stamp: Stamp = { fingerprint: inputsFingerprint, buildId: readBuildId(webDir) ?? '' };
  writeFileSync(join(webDir, STAMP), `${JSON.stringify(stamp)}\n`);
}

/** Why the app in `webDir` must be (re)built, or null when `.next` was built from its inputs. */
export function staleReason(webDir: string): string | null {
  const buildId = readBuildId(webDir);
  if (buildId === null) return 'no build yet';
  if (!existsSync(join(webDir, STAMP))) return 'the build has no stamp';
  const stamp = JSON.parse(readFileSync(join(webDir, STAMP), 'utf8')) as Stamp;
  if (stamp.buildId !== buildId) return 'the build was replaced since it was stamped';
  if (stamp.fingerprint !== fingerprint(webDir)) return 'sources or dependencies changed';
  return null;
}

async function build(): Promise<void> {
  const before = fingerprint(WEB_DIR);
  const started = Date.now();
  const child = spawn(join(WEB_DIR, '../../node_modules/.bin/next'), ['build'], {
    cwd: WEB_DIR,
    stdio: 'inherit',
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`next build failed (exit code ${code})`);
  // Next writes next-env.d.ts on every build, unformatted; the root `prettier --check .` (which
  // does not read apps/web/.gitignore) would flag it. Nothing here needs it (src/css.d.ts).
  rmSync(join(WEB_DIR, 'next-env.d.ts'), { force: true });
  writeStamp(WEB_DIR, before);
  console.log(`dashboard built in ${Math.round((Date.now() - started) / 1000)} s`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const reason = process.argv.includes('--if-stale') ? staleReason(WEB_DIR) : 'asked to';
  if (reason === null) {
    console.log('dashboard build is up to date');
  } else {
    console.log(`building the dashboard (${reason}; takes a few minutes)`);
    try {
      await build();
    } catch (error) {
      console.error((error as Error).message);
      process.exit(1);
    }
  }
}
