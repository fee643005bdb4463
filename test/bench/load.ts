/**
 * Mixed traffic against Concord in server mode, as separate processes on loopback (API processes
 * and worker processes on a fresh PostgreSQL database): searches by image and by text at a steady
 * rate, batches of new texts ingested, one training run and the promotion of its model — for a
 * bounded time. Prints throughput, p50/p99/max latency and errors per operation, and checks that
 * no search was answered from a half-promoted model: every hit comes from the model the response
 * reports, and once the promotion has committed no later search answers from the old model.
 *
 *   npx tsx test/bench/load.ts [--quick] [--seconds 180] [--search-rate 4] [--ingest-every 10]
 *     [--ingest-batch 20] [--epochs 30] [--apis 2] [--workers 2]
 *
 * `--quick`: 60 s of traffic and a run of 10+10 epochs unless --seconds/--epochs say otherwise.
 * The last line is one JSON object with the figures per operation and the promotion checks.
 */
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { createServerDatabase } from '@concord/db/testing';
import { corpusItems, SITES, tinyConfig } from '../integration/scale-out/support/corpus.ts';
import {
  CREATE_DATASET,
  CREATE_SITE,
  DATASET,
  gql,
  INGEST,
  RUN,
  START_RUN,
  type RunView,
} from '../integration/scale-out/support/graphql.ts';
import { spawnConcord, type ConcordProcess } from '../integration/scale-out/support/processes.ts';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    seconds: { type: 'string' },
    'search-rate': { type: 'string', default: '4' },
    'ingest-every': { type: 'string', default: '10' },
    'ingest-batch': { type: 'string', default: '20' },
    epochs: { type: 'string' },
    apis: { type: 'string', default: '2' },
    workers: { type: 'string', default: '2' },
    'max-in-flight': { type: 'string', default: '32' },
  },
});
const SECONDS = Math.min(Number(args.seconds ?? (args.quick ? 60 : 180)), 1800);
const SEARCH_RATE = Number(args['search-rate']);
const INGEST_EVERY = Number(args['ingest-every']);
const INGEST_BATCH = Math.min(Number(args['ingest-batch']), 200);
const EPOCHS = Number(args.epochs ?? (args.quick ? 10 : 30));
const MAX_IN_FLIGHT = Number(args['max-in-flight']);

/** Jobs as in production, only polled more often. */
const JOB_ENV = { TRAINING_JOB_EXPIRE_SECONDS: '1800', TRAINING_SLICE_SECONDS: '600' };

const SEARCH = `query($datasetId: ID!, $query: SearchQueryInput!, $target: Modality) {
  search(datasetId: $datasetId, query: $query, targetModality: $target, first: 10) {
    model { id version }
    edges { node { score model { id version } } }
  }
}`;
const PROMOTE = `mutation($id: ID!) {
  promoteModel(modelId: $id, force: true) { model { id version status } errors { code message } }
}`;

interface Sample {
  op: string;
  startedAt: number;
  ms: number;
  ok: boolean;
  error?: string;
}

interface SearchAnswer {
  startedAt: number;
  endedAt: number;
  version: number | null;
  mixed: boolean;
}

const samples: Sample[] = [];
const answers: SearchAnswer[] = [];

async function timed<T>(op: string, fn: () => Promise<T>): Promise<T | null> {
  const startedAt = Date.now();
  const t0 = performance.now();
  try {
    const value = await fn();
    samples.push({ op, startedAt, ms: performance.now() - t0, ok: true });
    return value;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    samples.push({ op, startedAt, ms: performance.now() - t0, ok: false, error: message });
    return null;
  }
}

/** A GraphQL call that counts as an error on transport failure or any GraphQL error. */
async function call<T>(
  url: string,
  key: string,
  query: string,
  variables: Record<string, unknown>,
) {
  const response = await gql<T>(url, key, query, variables);
  if (response.errors?.length) throw new Error(response.errors.map((e) => e.message).join('; '));
  return response.data;
}

function loadAverage(): string {
  return execFileSync('uptime').toString().trim();
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  console.log(`before: ${loadAverage()}`);
  const database = await createServerDatabase();
  const processes: ConcordProcess[] = [];
  try {
    const first = await spawnConcord({
      name: 'load-api-1',
      role: 'api',
      databaseUrl: database.url,
      env: JOB_ENV,
    });
    processes.push(first);
    const key = first.adminKey!;
    const more = await Promise.all([
      ...Array.from({ length: Number(args.apis) - 1 }, (_, i) =>
        spawnConcord({
          name: `load-api-${i + 2}`,
          role: 'api',
          databaseUrl: database.url,
          env: JOB_ENV,
        }),
      ),
      ...Array.from({ length: Number(args.workers) }, (_, i) =>
        spawnConcord({
          name: `load-worker-${i + 1}`,
          role: 'worker',
          databaseUrl: database.url,
          env: JOB_ENV,
        }),
      ),
    ]);
    processes.push(...more);
    const apis = processes.filter((p) => p.role === 'api').map((p) => p.url!);
    let next = 0;
    const api = () => apis[next++ % apis.length]!;

    // Setup: a dataset, the corpus, and a first model (v1) to search while the load runs.
    const created = await call<{ createDataset: { dataset: { id: string } } }>(
      apis[0]!,
      key,
      CREATE_DATASET,
      { input: { name: 'load', dimension: 16 } },
    );
    const datasetId = created.createDataset.dataset.id;
    for (const site of SITES) await call(apis[0]!, key, CREATE_SITE, { datasetId, name: site });
    const { images, texts } = corpusItems(8);
    await call(apis[0]!, key, INGEST, {
      input: { datasetId, createLabels: true, items: [...images, ...texts] },
    });
    const runTo = async (epochs: number): Promise<RunView> => {
      const started = await call<{ startTrainingRun: { run: { id: string } } }>(
        api(),
        key,
        START_RUN,
        { datasetId, config: tinyConfig(epochs, 11) },
      );
      const runId = started.startTrainingRun.run.id;
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const run = (await call<{ trainingRun: RunView }>(api(), key, RUN, { id: runId }))
          .trainingRun;
        if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(run.status)) return run;
      }
    };
    const setupRun = await runTo(6);
    if (setupRun.status !== 'SUCCEEDED')
      throw new Error(`setup run ${setupRun.status}: ${setupRun.error}`);
    const active = async () =>
      (
        await call<{ dataset: { activeModel: { id: string; version: number } | null } }>(
          api(),
          key,
          DATASET,
          { id: datasetId },
        )
      ).dataset.activeModel;
    if (!(await active())) await call(api(), key, PROMOTE, { id: setupRun.model!.id });
    const v1 = (await active())!;
    // Warm-up, outside the figures: every API process loads the image CNN on its first image.
    for (const url of apis)
      await call(url, key, SEARCH, {
        datasetId,
        query: { image: images[0]!.base64 },
        target: 'TEXT',
      });
    console.log(
      `setup: ${images.length + texts.length} items, model v${v1.version} active; ${apis.length} API and ${Number(args.workers)} worker processes`,
    );

    // The load.
    const t0 = Date.now();
    const end = t0 + SECONDS * 1000;
    let inFlight = 0;
    let dropped = 0;
    const pending = new Set<Promise<unknown>>();
    const track = (p: Promise<unknown>) => {
      pending.add(p);
      void p.finally(() => pending.delete(p));
    };

    // Searches: open loop at a steady rate, alternating text→image and image→text.
    let searchIndex = 0;
    const searchTimer = setInterval(() => {
      if (Date.now() >= end) return;
      if (inFlight >= MAX_IN_FLIGHT) {
        dropped += 1;
        return;
      }
      const i = searchIndex++;
      const byImage = i % 2 === 1;
      const query = byImage
        ? { image: images[i % images.length]!.base64 }
        : { text: texts[i % texts.length]!.text };
      const startedAt = Date.now();
      inFlight += 1;
      track(
        timed(byImage ? 'search by image' : 'search by text', () =>
          call<{
            search: {
              model: { id: string; version: number } | null;
              edges: { node: { model: { id: string } } }[];
            };
          }>(api(), key, SEARCH, { datasetId, query, target: byImage ? 'TEXT' : 'IMAGE' }),
        ).then((data) => {
          inFlight -= 1;
          if (!data) return;
          const model = data.search.model;
          answers.push({
            startedAt,
            endedAt: Date.now(),
            version: model?.version ?? null,
            mixed: data.search.edges.some((e) => e.node.model.id !== model?.id),
          });
        }),
      );
    }, 1000 / SEARCH_RATE);

    // Ingestion: a batch of new held-out texts every few seconds.
    let batch = 0;
    const labels = [...new Set(texts.map((t) => t.labels[0]!))];
    const ingestTimer = setInterval(() => {
      if (Date.now() >= end) return;
      const b = batch++;
      const items = Array.from({ length: INGEST_BATCH }, (_, i) => ({
        key: `load-${b}-${i}`,
        site: SITES[i % 2],
        labels: [labels[i % labels.length]],
        split: 'TEST',
        text: `${labels[i % labels.length]} load note ${b}-${i}`,
      }));
      track(
        timed('ingest batch', async () => {
          const data = await call<{ ingestItems: { created: number } }>(api(), key, INGEST, {
            input: { datasetId, items, idempotencyKey: `load-${b}` },
          });
          if (data.ingestItems.created !== items.length)
            throw new Error(`created ${data.ingestItems.created} of ${items.length}`);
        }),
      );
    }, INGEST_EVERY * 1000);

    // One training run, started 5 s in, and the promotion of its model.
    let promotedAt: number | null = null;
    let newVersion: number | null = null;
    let runSummary = '';
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const trainStarted = Date.now();
    const run = await timed('training run', async () => {
      const r = await runTo(EPOCHS);
      if (r.status !== 'SUCCEEDED') throw new Error(`run ${r.status}: ${r.error}`);
      return r;
    });
    if (run?.model) {
      newVersion = run.model.version;
      // The run's note: `model vN promoted (VERDICT: reason)`.
      const auto = run.logs.find((l) => l.message.startsWith(`model v${newVersion} promoted`));
      if (auto) {
        promotedAt = Date.parse(auto.at);
        runSummary = `automatic promotion of v${newVersion} (gate passed)`;
      } else {
        await timed('promote', async () => {
          await call(api(), key, PROMOTE, { id: run.model!.id });
          promotedAt = Date.now();
        });
        runSummary = `v${newVersion} refused by the gate: promoted by promoteModel(force)`;
      }
    }
    const trainSeconds = (Date.now() - trainStarted) / 1000;
    while (Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 500));
    clearInterval(searchTimer);
    clearInterval(ingestTimer);
    await Promise.all([...pending]);
    const elapsed = (Date.now() - t0) / 1000;

    // Report.
    console.log(
      `\nload: ${SECONDS} s, searches at ${SEARCH_RATE}/s (text and image alternating, first 10, round-robin over ${apis.length} APIs), ${INGEST_BATCH} texts every ${INGEST_EVERY} s, one run of ${EPOCHS}+${EPOCHS} epochs (training took ${trainSeconds.toFixed(1)} s; ${runSummary || 'no model'})`,
    );
    console.log('| operation | count | ops/s | p50 ms | p99 ms | max ms | errors |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    const operations: Record<string, Record<string, number>> = {};
    for (const op of [...new Set(samples.map((s) => s.op))]) {
      const of = samples.filter((s) => s.op === op);
      const ms = of.map((s) => s.ms).sort((a, b) => a - b);
      const errors = of.filter((s) => !s.ok).length;
      const round = (x: number) => Number(x.toFixed(1));
      operations[op] = {
        count: of.length,
        opsPerSecond: Number((of.length / elapsed).toFixed(2)),
        p50Ms: round(percentile(ms, 50)),
        p99Ms: round(percentile(ms, 99)),
        maxMs: round(ms.at(-1)!),
        errors,
      };
      console.log(
        `| ${op} | ${of.length} | ${(of.length / elapsed).toFixed(2)} | ${percentile(ms, 50).toFixed(1)} | ${percentile(ms, 99).toFixed(1)} | ${ms.at(-1)!.toFixed(1)} | ${errors} |`,
      );
    }
    const errors = samples.filter((s) => !s.ok);
    const messages = new Map<string, Sample[]>();
    for (const e of errors)
      messages.set(`${e.op}: ${e.error}`, [...(messages.get(`${e.op}: ${e.error}`) ?? []), e]);
    for (const [message, of] of messages) {
      const at = of.map((e) => ((e.startedAt - t0) / 1000).toFixed(0));
      console.log(`${of.length}× ${message} (at ${at[0]}–${at.at(-1)} s)`);
    }
    const mixed = answers.filter((a) => a.mixed).length;
    const stale =
      promotedAt === null
        ? 0
        : answers.filter((a) => a.startedAt > promotedAt! && a.version !== newVersion).length;
    // Atomic switch: a search that started after another one was answered by the new model is
    // answered by the new model too.
    const firstNew = Math.min(
      ...answers.filter((a) => a.version === newVersion).map((a) => a.endedAt),
    );
    const regressed = answers.filter(
      (a) => a.startedAt > firstNew && a.version !== newVersion,
    ).length;
    const versions = [...new Set(answers.map((a) => a.version))].sort();
    const byVersion = versions.map(
      (v) => `v${v}: ${answers.filter((a) => a.version === v).length}`,
    );
    console.log(
      `searches answered: ${answers.length} (${byVersion.join(', ')}); dropped at the in-flight cap: ${dropped}; hits from another model than the response's: ${mixed}; answered from the old model after the promotion committed: ${stale}; after a search had seen the new model: ${regressed}`,
    );
    console.log(`after: ${loadAverage()}`);
    const failed =
      errors.length > 0 || mixed > 0 || stale > 0 || regressed > 0 || promotedAt === null;
    if (failed) process.exitCode = 1;
    console.log(
      JSON.stringify({
        seconds: SECONDS,
        epochs: EPOCHS,
        trainSeconds: Number(trainSeconds.toFixed(1)),
        promoted: promotedAt !== null,
        operations,
        searchesAnswered: answers.length,
        dropped,
        mixed,
        stale,
        regressed,
        failed,
      }),
    );
  } finally {
    await Promise.all(processes.map((p) => p.kill('SIGTERM')));
    await database.drop();
  }
}

await main();
