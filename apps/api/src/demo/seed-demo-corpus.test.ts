/**
 * The demo corpus on the real entry point (`src/main.ts`, embedded PGlite in a temp folder, a
 * balanced subset through DEMO_CORPUS_PER_CATEGORY): the first start answers while it seeds and is
 * stopped mid-ingestion; the second start finishes the seeding without duplicates, trains and
 * promotes; text→image and image→text search over HTTP return the query's class well above
 * chance; each emoji's image and name are one record; a third start seeds nothing and counts the
 * same.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { gql, waitFor } from '../testing/harness.ts';
import { SEARCH } from '../testing/operations.ts';
import { DEMO_DATASET_NAME, demoRecords } from './seed-demo-corpus.ts';

const API_DIR = fileURLToPath(new URL('../..', import.meta.url));
const PER_CATEGORY = 12;
const dataDir = mkdtempSync(join(tmpdir(), 'concord-demo-'));

interface Started {
  child: ChildProcess;
  url: string;
  adminKey: string | null;
  output: () => string;
}

async function start(): Promise<Started> {
  const inherited = { ...process.env };
  delete inherited.DATABASE_URL; // the embedded database
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: API_DIR,
    env: {
      ...inherited,
      CONCORD_DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      DEMO_CORPUS: 'auto',
      DEMO_CORPUS_PER_CATEGORY: String(PER_CATEGORY),
      JOB_POLL_SECONDS: '0.5',
      JOB_MAINTENANCE_SECONDS: '1',
      NODE_ENV: 'test',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const append = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (process.env.CONCORD_TEST_LOG) process.stderr.write(chunk);
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const url = await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`main.ts exited:\n${output}`);
      return Promise.resolve(/ready at (http:\S+)/.exec(output)?.[1]);
    },
    240_000,
    'the API to listen',
  );
  const adminKey = /^\s+(ck_[0-9a-f]{12}_\S+)$/m.exec(output)?.[1] ?? null;
  return { child, url, adminKey, output: () => output };
}

async function stop(s: Started): Promise<void> {
  if (s.child.exitCode !== null) return;
  const exited = new Promise((resolve) => s.child.once('exit', resolve));
  s.child.kill('SIGTERM');
  await exited;
}

interface DatasetInfo {
  id: string;
  name: string;
  itemCount: number;
  activeModel: { id: string; version: number } | null;
  counts: { byModality: { modality: string; count: number }[] };
}
const DATASETS = `{ datasets(first: 10) { totalCount edges { node {
  id name itemCount activeModel { id version } counts { byModality { modality count } }
} } } }`;

describe('the emoji demo corpus on first start (embedded, real entry point)', () => {
  const running: Started[] = [];
  let key = '';
  let datasetId = '';
  const records = demoRecords(PER_CATEGORY);
  // An image and its name per emoji, each under its own key (emoji sharing a name are two items).
  const expectedItems = records.length * 2;

  const demo = async (url: string) => {
    const r = await gql<{ datasets: { totalCount: number; edges: { node: DatasetInfo }[] } }>(
      url,
      DATASETS,
      {},
      key,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data.datasets.totalCount).toBeLessThanOrEqual(1);
    return r.data.datasets.edges.find((e) => e.node.name === DEMO_DATASET_NAME)?.node;
  };
  const runCount = async (url: string) =>
    (
      await gql<{ trainingRuns: { totalCount: number } }>(
        url,
        `query($id: ID!) { trainingRuns(datasetId: $id, first: 1) { totalCount } }`,
        { id: datasetId },
        key,
      )
    ).data.trainingRuns.totalCount;

  afterAll(async () => {
    for (const s of running) await stop(s);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'answers while seeding; stopped mid-way, the next start finishes, trains and promotes',
    { timeout: 2_400_000 },
    async () => {
      const first = await start();
      running.push(first);
      expect(first.adminKey).not.toBeNull();
      key = first.adminKey!;
      expect(first.output()).toMatch(/Seeding the emoji demo corpus/);
      // Stop it once some items are in but not all: the API answers while it seeds.
      const partial = await waitFor(
        async () => {
          // Answered (without errors, checked in demo()) while the seeding goes on.
          const d = await demo(first.url);
          return d && d.itemCount > 0 ? d : undefined;
        },
        300_000,
        'the first items',
      );
      await stop(first);
      datasetId = partial.id;
      const afterStop = await start();
      running.push(afterStop);
      expect(afterStop.adminKey).toBeNull();
      const resumedAt = await demo(afterStop.url);
      expect(resumedAt?.id).toBe(datasetId);
      expect(resumedAt!.itemCount).toBeLessThan(expectedItems);

      const seeded = await waitFor(
        async () => {
          const d = await demo(afterStop.url);
          return d?.activeModel ? d : undefined;
        },
        1_500_000,
        'the demo model to be active',
      );
      expect(afterStop.output()).toMatch(/"demo corpus: ingesting"/);
      expect(seeded.itemCount).toBe(expectedItems);
      expect(seeded.counts.byModality).toEqual(
        expect.arrayContaining([
          { modality: 'image', count: records.length },
          { modality: 'text', count: records.length },
        ]),
      );
      // Each emoji's image and name are one record, named by its code point(s).
      const pair = await gql<{
        record: { itemCount: number; items: { externalKey: string; modality: string }[] } | null;
      }>(
        afterStop.url,
        `query($id: ID!, $key: String!) { record(datasetId: $id, key: $key) {
          itemCount items { externalKey modality } } }`,
        { id: datasetId, key: records[0]!.id },
        key,
      );
      expect(pair.errors).toBeUndefined();
      expect(pair.data.record).toEqual({
        itemCount: 2,
        items: expect.arrayContaining([
          { externalKey: `${records[0]!.id}/image`, modality: 'IMAGE' },
          { externalKey: `${records[0]!.id}/text`, modality: 'TEXT' },
        ]) as unknown,
      });
      expect(await runCount(afterStop.url)).toBe(1);

      // Text → image: "flag" finds flags; 9 balanced classes, so chance is 1/9.
      const byText = await gql<{
        search: { edges: { node: { labels: { name: string }[]; item: { modality: string } } }[] };
      }>(
        afterStop.url,
        SEARCH,
        { datasetId, query: { text: 'flag' }, target: 'IMAGE', first: 10 },
        key,
      );
      expect(byText.errors).toBeUndefined();
      const hits = byText.data.search.edges.map((e) => e.node);
      expect(hits.every((h) => h.item.modality === 'IMAGE')).toBe(true);
      // 12 of the 108 images are flags: 1.1 expected in 10 by chance (10/10 seen here).
      const flags = hits.filter((h) => h.labels.some((l) => l.name === 'Flags')).length;
      console.log(`text "flag" → ${flags}/10 flag images`);
      expect(flags).toBeGreaterThanOrEqual(6);

      // Image → text: a flag image not in the seeded subset finds flag names.
      const seededPaths = new Set(records.map((r) => r.imagePath));
      const query = demoRecords(null).find(
        (r) => r.label === 'Flags' && !seededPaths.has(r.imagePath),
      )!;
      const byImage = await gql<{
        search: { edges: { node: { labels: { name: string }[] } }[] };
      }>(
        afterStop.url,
        SEARCH,
        {
          datasetId,
          query: { image: readFileSync(query.imagePath).toString('base64') },
          target: 'TEXT',
          first: 10,
        },
        key,
      );
      expect(byImage.errors).toBeUndefined();
      const flagTexts = byImage.data.search.edges.filter((e) =>
        e.node.labels.some((l) => l.name === 'Flags'),
      ).length;
      console.log(`a flag image → ${flagTexts}/10 flag texts`);
      expect(flagTexts).toBeGreaterThanOrEqual(6);

      // A restart seeds nothing: same dataset, counts, model and single run.
      await stop(afterStop);
      const third = await start();
      running.push(third);
      expect(third.adminKey).toBeNull();
      expect(third.output()).not.toMatch(/Seeding the emoji demo corpus/);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const again = await demo(third.url);
      expect(again).toMatchObject({
        id: datasetId,
        itemCount: expectedItems,
        activeModel: seeded.activeModel,
      });
      expect(await runCount(third.url)).toBe(1);
      expect(third.output()).not.toMatch(/demo corpus: seeding/);
    },
  );
});
