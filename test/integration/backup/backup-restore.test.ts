/**
 * Backup and restore round trip with the documented commands, on both database modes: data, a
 * tiny trained and active model and its embeddings are backed up (`npm run backup -w
 * @concord/api -- --out <file>`), restored into a new database (`npm run restore`), and the
 * restored app answers the same searches with the same scores, the same counts and the same
 * active model; the old API keys still work.
 *
 * Embedded: the app is stopped before the backup (PGlite is single-process). Server: the backup
 * is taken while the app runs (pg_dump reads one snapshot).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createServerDatabase, TEST_DATABASE_MODES } from '@concord/db/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { startHostileApp, type ExistingDatabase, type HostileApp } from '../hostile/support/app.ts';
import { seedFixture, type Fixture } from '../hostile/support/fixture.ts';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const exec = promisify(execFile);

/** The documented command, as an operator runs it from the repository root. */
async function npmRun(script: 'backup' | 'restore', args: string[], env: Record<string, string>) {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => k !== 'DATABASE_URL' && k !== 'CONCORD_DATA_DIR'),
  );
  return exec('npm', ['run', '--silent', script, '-w', '@concord/api', '--', ...args], {
    cwd: REPO,
    env: { ...base, ...env },
    timeout: 180_000,
  });
}

interface State {
  activeModel: string | null;
  itemCount: number;
  embeddings: number;
  runs: number;
  searches: { id: string; score: number }[][];
}

async function stateOf(t: HostileApp, f: Fixture): Promise<State> {
  const d = await t.gql<{
    dataset: { activeModel: { id: string; embeddingCount: number } | null; itemCount: number };
    trainingRuns: { totalCount: number };
  }>(
    `query($id: ID!) { dataset(id: $id) { activeModel { id embeddingCount } itemCount } trainingRuns(datasetId: $id) { totalCount } }`,
    { id: f.datasetId },
  );
  expect(d.errors).toBeUndefined();
  const searches = [];
  for (const query of [
    { text: f.texts[0] },
    { image: f.png.toString('base64') },
    { itemId: f.imageItemId },
  ]) {
    const r = await t.gql<{
      search: { edges: { node: { score: number; item: { id: string } } }[] };
    }>(
      `query($id: ID!, $q: SearchQueryInput!) { search(datasetId: $id, query: $q, first: 10, mode: EXACT) { edges { node { score item { id } } } } }`,
      { id: f.datasetId, q: query },
    );
    expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    searches.push(r.data.search.edges.map((e) => ({ id: e.node.item.id, score: e.node.score })));
  }
  return {
    activeModel: d.data.dataset.activeModel?.id ?? null,
    itemCount: d.data.dataset.itemCount,
    embeddings: d.data.dataset.activeModel?.embeddingCount ?? 0,
    runs: d.data.trainingRuns.totalCount,
    searches,
  };
}

function expectSameState(restored: State, original: State) {
  expect({ ...restored, searches: null }).toEqual({ ...original, searches: null });
  expect(restored.searches.map((s) => s.map((h) => h.id))).toEqual(
    original.searches.map((s) => s.map((h) => h.id)),
  );
  restored.searches
    .flat()
    .forEach((hit, i) => expect(hit.score).toBeCloseTo(original.searches.flat()[i]!.score, 6));
}

describe.each(TEST_DATABASE_MODES)('backup and restore ($name)', (mode) => {
  const work = mkdtempSync(join(tmpdir(), 'concord-backup-'));
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
    rmSync(work, { recursive: true, force: true });
  });

  it('round-trips data, embeddings and the active model through the documented commands', async () => {
    const file = join(work, 'concord.backup');
    let source: ExistingDatabase & { env: Record<string, string> };
    let target: ExistingDatabase & { env: Record<string, string> };
    if (mode.name === 'pglite') {
      const dataDir = join(work, 'data');
      source = { dataDir, adminKey: '', env: { CONCORD_DATA_DIR: dataDir } };
      const restoredDir = join(work, 'restored');
      target = { dataDir: restoredDir, adminKey: '', env: { CONCORD_DATA_DIR: restoredDir } };
    } else {
      const a = await createServerDatabase();
      const b = await createServerDatabase();
      cleanup.push(
        () => a.drop(),
        () => b.drop(),
      );
      source = { url: a.url, adminKey: '', env: { DATABASE_URL: a.url } };
      target = { url: b.url, adminKey: '', env: { DATABASE_URL: b.url } };
    }

    const t = await startHostileApp(mode, { RUN_WORKER: 'true' }, source);
    let stopped = false;
    cleanup.push(async () => {
      if (!stopped) await t.close();
    });
    const f = await seedFixture(t, 4);
    const original = await stateOf(t, f);
    expect(original.activeModel).toBe(f.modelId);
    expect(original.embeddings).toBe(original.itemCount);
    if (mode.name === 'pglite') {
      await t.close(); // PGlite is single-process: stop the app before copying its data.
      stopped = true;
    }
    const backedUp = await npmRun('backup', ['--out', file], source.env);
    expect(backedUp.stdout).toContain('Backed up');
    if (!stopped) {
      await t.close();
      stopped = true;
    }

    const restored = await npmRun('restore', ['--in', file], target.env);
    expect(restored.stdout).toContain('Restored');
    const u = await startHostileApp(
      mode,
      { RUN_WORKER: 'false' },
      { ...target, adminKey: t.adminKey },
    );
    try {
      expectSameState(await stateOf(u, f), original);
      // The keys came along (stored as hashes): the viewer's key still searches.
      const viewer = await u.gql('{ me { role } }', {}, f.keys.viewer);
      expect(viewer.data).toEqual({ me: { role: 'VIEWER' } });
    } finally {
      await u.close();
    }
  });

  it('refuses to restore over existing data', async () => {
    const file = join(work, 'concord.backup');
    if (mode.name === 'pglite') {
      const busy = join(work, 'busy');
      mkdirSync(busy, { recursive: true });
      writeFileSync(join(busy, 'PG_VERSION'), '18');
      await expect(npmRun('restore', ['--in', file], { CONCORD_DATA_DIR: busy })).rejects.toThrow(
        /not empty/,
      );
    } else {
      const t = await startHostileApp(mode, {});
      try {
        await expect(
          npmRun('restore', ['--in', file], { DATABASE_URL: t.databaseUrl! }),
        ).rejects.toThrow(/not empty/);
      } finally {
        await t.close();
      }
    }
  });
});
