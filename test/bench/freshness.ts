/**
 * How soon a new item is found by its own content once `ingestItems` answers, on a dataset with
 * an active model (issue #18, "searchable on arrival"):
 *
 *   npx tsx test/bench/freshness.ts [--quick] [--items N] [--modes pglite,postgres]
 *
 * Per database mode: the API + worker in-process on a fresh database, an emoji dataset trained by
 * a short run over GraphQL, then N items (images and texts the model never saw) ingested one at a
 * time over HTTP. For each, the clock starts when `ingestItems` answers and stops when a search
 * by the item's own content (the default APPROXIMATE search, the item's modality) returns it at
 * the top score; searches are repeated every 5 ms until then (30 s at most: a miss). Beside it,
 * the baseline: the same items' ingestion latency into a dataset with no active model (nothing
 * to embed), so the ratio is the cost of embedding on arrival.
 * Last line: one JSON object with searchableAfterMs {p50, p99}, items, misses and the ratios.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { parseEnv, silentLogger, startApp } from '@concord/api';
import { gql, waitFor } from '@concord/api/testing';
import { openDatabase } from '@concord/db';
import { createServerDatabase } from '@concord/db/testing';
import { emojiTestCorpus, type EmojiTestItem } from '@concord/features/demo';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    items: { type: 'string' },
    modes: { type: 'string', default: 'pglite,postgres' },
  },
});
const QUICK = values.quick;
const LATE = Number(values.items ?? (QUICK ? 24 : 120));
const PER_CLASS = QUICK ? 16 : 40;
const CONFIG = QUICK
  ? { hiddenSizes: [64], splEpochs: 6, rscEpochs: 6, batchSize: 16, textDimensions: 32, seed: 1 }
  : {
      hiddenSizes: [256],
      splEpochs: 20,
      rscEpochs: 20,
      batchSize: 32,
      textDimensions: 64,
      seed: 1,
    };
const GIVE_UP_MS = 30_000;

const SEARCH = `query($datasetId: ID!, $query: SearchQueryInput!, $target: Modality) {
  search(datasetId: $datasetId, query: $query, targetModality: $target, first: 20) {
    edges { node { score item { id } } }
  }
}`;
const INGEST = `mutation($input: IngestItemsInput!) {
  ingestItems(input: $input) { results { status error item { id embedded } } errors { message } }
}`;

interface Item {
  key: string;
  label: string;
  site: string;
  base64?: string;
  text?: string;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
const round = (x: number) => Math.round(x * 10) / 10;

function corpus(): { early: Item[]; late: Item[] } {
  const perClassLate = Math.ceil(LATE / 2 / 3);
  const { images, texts } = emojiTestCorpus(PER_CLASS + perClassLate, {
    sites: ['north', 'south'],
  });
  const asItem = (i: EmojiTestItem): Item => ({
    key: i.key,
    label: i.label,
    site: i.site,
    ...(i.imagePath ? { base64: readFileSync(i.imagePath).toString('base64') } : { text: i.text }),
  });
  const split = (list: EmojiTestItem[]) => {
    const early: Item[] = [];
    const late: Item[] = [];
    for (const label of new Set(list.map((i) => i.label))) {
      const ofClass = list.filter((i) => i.label === label).map(asItem);
      early.push(...ofClass.slice(0, PER_CLASS));
      late.push(...ofClass.slice(PER_CLASS));
    }
    return { early, late };
  };
  const a = split(images);
  const b = split(texts);
  // Interleave images and texts so both kinds of arrival are measured.
  const late: Item[] = [];
  for (let i = 0; i < Math.max(a.late.length, b.late.length); i++)
    late.push(...[a.late[i], b.late[i]].filter((x): x is Item => x !== undefined));
  return { early: [...a.early, ...b.early], late: late.slice(0, LATE) };
}

async function measureMode(mode: 'pglite' | 'postgres') {
  const created = mode === 'postgres' ? await createServerDatabase() : null;
  const db = await openDatabase(
    created
      ? { mode: 'server', url: created.url, poolSize: 6 }
      : { mode: 'embedded', dataDir: null },
  );
  const env = parseEnv({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', JOB_POLL_SECONDS: '0.5' });
  const app = await startApp(env, silentLogger, { db, serverUrl: created?.url ?? null });
  const call = <T>(query: string, variables: Record<string, unknown>) =>
    gql<T>(app.url!, query, variables, app.adminKey).then((r) => {
      if (r.errors) throw new Error(JSON.stringify(r.errors));
      return r.data;
    });
  try {
    const { early, late } = corpus();
    const dataset = async (name: string) => {
      const d = await call<{ createDataset: { dataset: { id: string } } }>(
        `mutation($input: CreateDatasetInput!) { createDataset(input: $input) { dataset { id } } }`,
        { input: { name, dimension: 64 } },
      );
      const id = d.createDataset.dataset.id;
      for (const site of ['north', 'south'])
        await call(
          `mutation($d: ID!, $n: String!) { createSite(datasetId: $d, input: { name: $n }) { site { id } } }`,
          { d: id, n: site },
        );
      return id;
    };
    const ingest = async (datasetId: string, items: Item[]) => {
      const data = await call<{
        ingestItems: {
          results: {
            status: string;
            error: string | null;
            item: { id: string; embedded: boolean } | null;
          }[];
        };
      }>(INGEST, {
        input: {
          datasetId,
          createLabels: true,
          items: items.map((i) => ({
            key: i.key,
            site: i.site,
            labels: [i.label],
            ...(i.base64
              ? { base64: i.base64, modality: 'IMAGE' }
              : { text: i.text, modality: 'TEXT' }),
          })),
        },
      });
      for (const r of data.ingestItems.results)
        if (r.status !== 'CREATED') throw new Error(`ingestion: ${r.status} ${r.error}`);
      return data.ingestItems.results.map((r) => r.item!);
    };

    const trained = await dataset(`fresh-${mode}`);
    for (let i = 0; i < early.length; i += 32) await ingest(trained, early.slice(i, i + 32));
    const started = Date.now();
    const run = await call<{ startTrainingRun: { run: { id: string } } }>(
      `mutation($d: ID!, $c: TrainingConfigInput) { startTrainingRun(datasetId: $d, config: $c) { run { id } } }`,
      { d: trained, c: CONFIG },
    );
    await waitFor(
      async () => {
        const r = await call<{ trainingRun: { status: string } }>(
          `query($id: ID!) { trainingRun(id: $id) { status } }`,
          { id: run.startTrainingRun.run.id },
        );
        if (r.trainingRun.status === 'FAILED') throw new Error('training failed');
        return r.trainingRun.status === 'SUCCEEDED' ? true : undefined;
      },
      900_000,
      'the training run',
    );
    const trainS = (Date.now() - started) / 1000;

    const searchable: number[] = [];
    const ingestMs: number[] = [];
    let misses = 0;
    let notEmbeddedAtAnswer = 0;
    for (const item of late) {
      const t0 = performance.now();
      const [stored] = await ingest(trained, [item]);
      const answered = performance.now();
      ingestMs.push(answered - t0);
      if (!stored!.embedded) notEmbeddedAtAnswer += 1;
      let found = false;
      while (performance.now() - answered < GIVE_UP_MS) {
        const data = await call<{
          search: { edges: { node: { score: number; item: { id: string } } }[] };
        }>(SEARCH, {
          datasetId: trained,
          query: item.base64 ? { image: item.base64 } : { text: item.text },
          target: item.base64 ? 'IMAGE' : 'TEXT',
        });
        const edges = data.search.edges;
        const hit = edges.find((e) => e.node.item.id === stored!.id);
        if (hit && hit.node.score >= edges[0]!.node.score - 1e-5) {
          found = true;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      if (found) searchable.push(performance.now() - answered);
      else misses += 1;
    }

    // Baseline: the same arrivals into a dataset with no model (nothing to embed).
    const untrained = await dataset(`untrained-${mode}`);
    await ingest(untrained, early.slice(0, 8));
    const baselineMs: number[] = [];
    for (const item of late) {
      const t0 = performance.now();
      await ingest(untrained, [item]);
      baselineMs.push(performance.now() - t0);
    }
    const sort = (a: number[]) => [...a].sort((x, y) => x - y);
    const s = sort(searchable);
    const ing = sort(ingestMs);
    const base = sort(baselineMs);
    return {
      mode,
      items: late.length,
      misses,
      notEmbeddedAtAnswer,
      trainS: round(trainS),
      searchableAfterMs: { p50: round(quantile(s, 0.5)), p99: round(quantile(s, 0.99)) },
      ingestMs: { p50: round(quantile(ing, 0.5)), p99: round(quantile(ing, 0.99)) },
      baselineIngestMs: { p50: round(quantile(base, 0.5)), p99: round(quantile(base, 0.99)) },
      ingestRatioP50: Number((quantile(ing, 0.5) / quantile(base, 0.5)).toFixed(2)),
    };
  } finally {
    await app.stop();
    await db.close();
    await created?.drop();
  }
}

const modes = values.modes
  .split(',')
  .filter((m): m is 'pglite' | 'postgres' => ['pglite', 'postgres'].includes(m));
console.log(
  `freshness: ${LATE} late items per mode (images and texts alternating), ${PER_CLASS} per class trained first; config ${JSON.stringify(CONFIG)}; modes ${modes.join(',')}; ${os.cpus().length} cores, load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
const results = [];
for (const mode of modes) {
  const r = await measureMode(mode);
  console.log(
    `${mode}: searchable after p50 ${r.searchableAfterMs.p50} ms, p99 ${r.searchableAfterMs.p99} ms (${r.items - r.misses}/${r.items} found, ${r.notEmbeddedAtAnswer} not embedded when answered); ingestItems p50 ${r.ingestMs.p50} ms vs ${r.baselineIngestMs.p50} ms without a model (×${r.ingestRatioP50}); training ${r.trainS} s`,
  );
  results.push(r);
}
// The slower mode's figures: a promise that holds on either database.
const worst = results.reduce(
  (a, r) => ({
    p50: Math.max(a.p50, r.searchableAfterMs.p50),
    p99: Math.max(a.p99, r.searchableAfterMs.p99),
  }),
  { p50: 0, p99: 0 },
);
console.log(
  JSON.stringify({
    searchableAfterMs: worst,
    items: results.reduce((n, r) => n + r.items, 0),
    misses: results.reduce((n, r) => n + r.misses, 0),
    modes: Object.fromEntries(results.map((r) => [r.mode, r])),
  }),
);
process.exit(0);
