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

const WEB_DIR = fileURLToPath(new URL('..', import.meta.url));
const REPO_ROOT = join(WEB_DIR, '../..');
const NEXT_DIR = join(WEB_DIR, '.next');
const STAMP = join(NEXT_DIR, 'concord-build.json');
const INPUTS = [
  join(WEB_DIR, 'src'),
  join(WEB_DIR, 'public'),
  join(WEB_DIR, 'package.json'),
  join(WEB_DIR, 'next.config.ts'),
  join(WEB_DIR, 'tsconfig.json'),
  join(REPO_ROOT, 'package-lock.json'),
];

interface Stamp {
  fingerprint: string;
  buildId: string;
}

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => filesUnder(join(path, entry.name)));
}

function fingerprint(): string {
  const hash = createHash('sha256');
  for (const file of INPUTS.flatMap(filesUnder)) {
    hash.update(`${relative(REPO_ROOT, file)}\0`);
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

function readBuildId(): string | null {
  const path = join(NEXT_DIR, 'BUILD_ID');
  return existsSync(path) ? readFileSync(path, 'utf8').trim() : null;
}

/** Why the build must be (re)made, or null when `.next` was built from the current inputs. */
function staleReason(): string | null {
  const buildId = readBuildId();
  if (buildId === null) return 'no build yet';
  if (!existsSync(STAMP)) return 'the build has no stamp';
  const stamp = JSON.parse(readFileSync(STAMP, 'utf8')) as Stamp;
  if (stamp.buildId !== buildId) return 'the build was replaced since it was stamped';
  if (stamp.fingerprint !== fingerprint()) return 'sources or dependencies changed';
  return null;
}

async function build(): Promise<void> {
  const inputs = fingerprint();
  const started = Date.now();
  const child = spawn(join(REPO_ROOT, 'node_modules/.bin/next'), ['build'], {
    cwd: WEB_DIR,
    stdio: 'inherit',
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`next build failed (exit code ${code})`);
  // Next writes next-env.d.ts on every build, unformatted; the root `prettier --check .` (which
  // does not read apps/web/.gitignore) would flag it. Nothing here needs it (src/css.d.ts).
  rmSync(join(WEB_DIR, 'next-env.d.ts'), { force: true });
  const stamp: Stamp = { fingerprint: inputs, buildId: readBuildId() ?? '' };
  writeFileSync(STAMP, `${JSON.stringify(stamp)}\n`);
  console.log(`dashboard built in ${Math.round((Date.now() - started) / 1000)} s`);
}

const ifStale = process.argv.includes('--if-stale');
const reason = ifStale ? staleReason() : 'asked to';
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
