/**
 * Scale-out on one machine: two API processes and two worker processes on one PostgreSQL
 * database. A training run's units (one job per SPL prior candidate, one per modality's RSC) are
 * taken by both workers, the run assembles and is promoted once all are done, and a search over
 * either API process gives identical results.
 */
import { createServerDatabase } from '@concord/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusItems, SITES, tinyConfig } from './support/corpus.ts';
import {
  CREATE_DATASET,
  CREATE_SITE,
  DATASET,
  FINAL,
  gql,
  INGEST,
  RUN,
  SEARCH,
  START_RUN,
  waitFor,
  type RunView,
  type SearchView,
} from './support/graphql.ts';
import { spawnConcord, type ConcordProcess } from './support/processes.ts';

const EPOCHS = 12;

describe('scale-out: two API processes, two workers, one PostgreSQL', () => {
  let database: { url: string; drop(): Promise<void> };
  const processes: ConcordProcess[] = [];
  let api1: ConcordProcess;
  let api2: ConcordProcess;
  let workers: ConcordProcess[];
  let key: string;

  beforeAll(async () => {
    database = await createServerDatabase();
    // The first process migrates the database and prints the admin key; the rest start together.
    api1 = await spawnConcord({ name: 'scale-api-1', role: 'api', databaseUrl: database.url });
    processes.push(api1);
    key = api1.adminKey!;
    expect(key).toBeTruthy();
    const rest = await Promise.all([
      spawnConcord({ name: 'scale-api-2', role: 'api', databaseUrl: database.url }),
      spawnConcord({ name: 'scale-worker-1', role: 'worker', databaseUrl: database.url }),
      spawnConcord({ name: 'scale-worker-2', role: 'worker', databaseUrl: database.url }),
    ]);
    processes.push(...rest);
    api2 = rest[0];
    workers = rest.slice(1);
  });

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill('SIGTERM')));
    await database?.drop();
  });

  it('trains the units on both workers in parallel, assembles, promotes, and both APIs agree', async () => {
    const created = await gql<{ createDataset: { dataset: { id: string } } }>(
      api1.url!,
      key,
      CREATE_DATASET,
      { input: { name: 'scale-out', dimension: 8 } },
    );
    const datasetId = created.data.createDataset.dataset.id;
    for (const name of SITES) await gql(api2.url!, key, CREATE_SITE, { datasetId, name });
    const { images, texts } = corpusItems(8);
    // Ingest half through each API process.
    const [a, b] = await Promise.all([
      gql<{ ingestItems: { created: number } }>(api1.url!, key, INGEST, {
        input: { datasetId, createLabels: true, items: images },
      }),
      gql<{ ingestItems: { created: number } }>(api2.url!, key, INGEST, {
        input: { datasetId, createLabels: true, items: texts },
      }),
    ]);
    expect(a.data.ingestItems.created + b.data.ingestItems.created).toBe(
      images.length + texts.length,
    );

    const started = await gql<{ startTrainingRun: { run: { id: string } } }>(
      api2.url!,
      key,
      START_RUN,
      { datasetId, config: tinyConfig(EPOCHS) },
    );
    const runId = started.data.startTrainingRun.run.id;
    const run = await waitFor(
      async () => {
        const r = (await gql<{ trainingRun: RunView }>(api1.url!, key, RUN, { id: runId })).data
          .trainingRun;
        return FINAL.includes(r.status) ? r : undefined;
      },
      480_000,
      'the run to finish',
      1000,
    );
    expect(run.error).toBeNull();
    expect(run.status).toBe('SUCCEEDED');

    // Which worker trained each unit, from the run's own record ("… done on worker host/pid").
    const units = new Map<string, { pid: number; start: number; end: number }>();
    for (const log of run.logs) {
      const done = /^(spl|rsc):(\S+) done on worker \S+\/(\d+)/.exec(log.message);
      if (done) {
        const name = `${done[1]}:${done[2]}`;
        const startLog = run.logs.find((l) => l.message.startsWith(`${name} started on worker`));
        units.set(name, {
          pid: Number(done[3]),
          start: Date.parse(startLog?.at ?? log.at),
          end: Date.parse(log.at),
        });
      }
    }
    expect([...units.keys()].sort()).toEqual(['rsc:image', 'rsc:text', 'spl:image', 'spl:text']);
    const workerPids = new Set(workers.map((w) => w.pid));
    for (const unit of units.values()) expect(workerPids.has(unit.pid)).toBe(true);
    expect(new Set([...units.values()].map((u) => u.pid)).size).toBe(2);
    // Every epoch row names the worker process that ran it.
    for (const e of run.epochs) expect(e.metrics.worker).toMatch(/\/\d+$/);
    // In parallel: some stage ran its two units on the two workers at overlapping times.
    const overlap = (x: string, y: string) => {
      const u = units.get(x)!;
      const v = units.get(y)!;
      return u.pid !== v.pid && u.start < v.end && v.start < u.end;
    };
    expect(overlap('spl:image', 'spl:text') || overlap('rsc:image', 'rsc:text')).toBe(true);

    // Every epoch once, one model, every item embedded once, and the model is active.
    const keys = run.epochs.map((e) => `${e.stage}/${e.unit}/${e.epoch}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(4 * EPOCHS);
    expect(run.model?.embeddingCount).toBe(images.length + texts.length);
    const dataset = await gql<{ dataset: { activeModel: { id: string } | null } }>(
      api2.url!,
      key,
      DATASET,
      { id: datasetId },
    );
    expect(dataset.data.dataset.activeModel?.id).toBe(run.model?.id);

    // The same search over either API process: identical hits, scores and model version.
    const queries = [
      { query: { text: texts[0]!.text }, target: 'IMAGE' },
      { query: { image: images[1]!.base64 }, target: 'TEXT' },
    ];
    for (const { query, target } of queries) {
      for (const mode of ['EXACT', 'APPROXIMATE']) {
        const vars = { datasetId, query, target, first: 10, mode };
        const [r1, r2] = await Promise.all([
          gql<SearchView>(api1.url!, key, SEARCH, vars),
          gql<SearchView>(api2.url!, key, SEARCH, vars),
        ]);
        expect(r1.errors).toBeUndefined();
        expect(r2.errors).toBeUndefined();
        expect(r1.data.search.edges.length).toBe(10);
        expect(r1.data.search.model?.id).toBe(run.model?.id);
        expect(r2.data).toEqual(r1.data);
      }
    }
  }, 600_000);
});
