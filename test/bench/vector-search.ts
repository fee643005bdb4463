/**
 * Vector search benchmark: p50/p99 latency and recall@10 of exact vs HNSW search over `--count`
 * embeddings (default 100,000, D = 2048), on PGlite and on PostgreSQL, side by side.
 *
 *   npx tsx test/bench/vector-search.ts [--count 100000] [--pglite-count N] [--queries 200]
 *                                        [--modes pglite,postgres] [--ef-search 40,100,200,400]
 *
 * PGlite computes halfvec distances in scalar WASM, so its HNSW build at D > 2000 is far slower
 * than the server's; `--pglite-count` lets the embedded run use fewer rows (printed per row).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase, type Database } from '@concord/db';
import { clusteredUnitVectors, createServerDatabase, seededRandom } from '@concord/db/testing';

const { values: args } = parseArgs({
  options: {
    count: { type: 'string', default: '100000' },
    queries: { type: 'string', default: '200' },
    dimension: { type: 'string', default: '2048' },
    clusters: { type: 'string', default: '100' },
    modes: { type: 'string', default: 'pglite,postgres' },
    'pglite-count': { type: 'string' },
    'ef-search': { type: 'string', default: '40,100,200,400' },
  },
});
const COUNTS: Record<string, number> = {
  postgres: Number(args.count),
  pglite: Number(args['pglite-count'] ?? args.count),
};
const QUERIES = Number(args.queries);
const DIMENSION = Number(args.dimension);
const CLUSTERS = Number(args.clusters);
const EF_SEARCH = args['ef-search'].split(',').map(Number);
const BATCH = 1000;
const K = 10;

interface ModeResult {
  mode: string;
  count: number;
  loadSeconds: number;
  indexSeconds: number;
  exact: number[];
  approximate: { efSearch: number; latencies: number[]; recall: number }[];
}

function batchVectors(start: number, count: number): Float32Array[] {
  // Each batch is its own deterministic draw around the same centres (seeded by cluster count).
  return clusteredUnitVectors({
    count,
    dimension: DIMENSION,
    clusters: CLUSTERS,
    spread: 0.8,
    seed: 1000 + start,
  }).vectors;
}

async function load(db: Database, COUNT: number): Promise<{ datasetId: string; modelId: string }> {
  const dataset = await db.prisma.dataset.create({
    data: { name: 'bench', modalities: ['image', 'text'], dimension: DIMENSION },
  });
  const site = await db.prisma.site.create({ data: { datasetId: dataset.id, name: 'main' } });
  const model = await db.prisma.model.create({
    data: { datasetId: dataset.id, version: 1, dimension: DIMENSION, config: {} },
  });
  for (let start = 0; start < COUNT; start += BATCH) {
    const n = Math.min(BATCH, COUNT - start);
    const items = Array.from({ length: n }, (_, j) => ({
      id: crypto.randomUUID(),
      datasetId: dataset.id,
      siteId: site.id,
      modality: (start + j) % 2 === 0 ? 'image' : 'text',
      text: `item ${start + j}`,
      mimeType: 'text/plain',
      sizeBytes: 0,
      checksum: createHash('sha256')
        .update(`item ${start + j}`)
        .digest('hex'),
      status: 'READY' as const,
    }));
    await db.prisma.item.createMany({ data: items });
    const vectors = batchVectors(start, n);
    await db.embeddings.upsertMany(
      model.id,
      items.map((item, j) => ({ itemId: item.id, vector: vectors[j]! })),
    );
    if ((start / BATCH) % 10 === 0) process.stderr.write(`  loaded ${start + n}/${COUNT}\r`);
  }
  process.stderr.write('\n');
  return { datasetId: dataset.id, modelId: model.id };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function runMode(mode: string, queries: Float32Array[]): Promise<ModeResult> {
  const count = COUNTS[mode] ?? Number(args.count);
  let dataDir: string | null = null;
  let drop: (() => Promise<void>) | null = null;
  let db: Database;
  if (mode === 'pglite') {
    dataDir = await mkdtemp(join(tmpdir(), 'concord-bench-'));
    db = await openDatabase({ mode: 'embedded', dataDir });
  } else {
    const created = await createServerDatabase();
    drop = () => created.drop();
    db = await openDatabase({ mode: 'server', url: created.url, poolSize: 2 });
  }
  try {
    process.stderr.write(`${mode}: loading ${count} embeddings (D = ${DIMENSION})\n`);
    let t = performance.now();
    const { datasetId, modelId } = await load(db, count);
    const loadSeconds = (performance.now() - t) / 1000;
    await db.sql.exec(`SET maintenance_work_mem = '${mode === 'pglite' ? '512MB' : '4GB'}'`);
    process.stderr.write(`${mode}: building HNSW index\n`);
    t = performance.now();
    await db.embeddings.buildIndex(modelId);
    const indexSeconds = (performance.now() - t) / 1000;

    const exact: number[] = [];
    const truths: Set<string>[] = [];
    for (const vector of queries) {
      t = performance.now();
      const truth = await db.embeddings.search({ datasetId, modelId, vector, k: K, mode: 'exact' });
      exact.push(performance.now() - t);
      truths.push(new Set(truth.hits.map((hit) => hit.itemId)));
    }
    const approximate = [];
    for (const efSearch of EF_SEARCH) {
      const latencies: number[] = [];
      let found = 0;
      for (const [i, vector] of queries.entries()) {
        t = performance.now();
        const page = await db.embeddings.search({
          datasetId,
          modelId,
          vector,
          k: K,
          efSearch,
          mode: 'approximate',
        });
        latencies.push(performance.now() - t);
        found += page.hits.filter((hit) => truths[i]!.has(hit.itemId)).length;
      }
      approximate.push({
        efSearch,
        latencies: latencies.sort((a, b) => a - b),
        recall: found / (queries.length * K),
      });
    }
    return {
      mode,
      count,
      loadSeconds,
      indexSeconds,
      exact: exact.sort((a, b) => a - b),
      approximate,
    };
  } finally {
    await db.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    await drop?.();
  }
}

const centres = clusteredUnitVectors({
  count: 0,
  dimension: DIMENSION,
  clusters: CLUSTERS,
  spread: 0.8,
  seed: 1000,
}).centres;
const random = seededRandom(42);
const queries = batchVectors(10_000_000, QUERIES).map((vector, i) =>
  i % 2 === 0 ? vector : centres[Math.floor(random() * CLUSTERS)]!,
);

const results: ModeResult[] = [];
for (const mode of args.modes.split(',')) results.push(await runMode(mode, queries));

const fmt = (ms: number): string => `${ms.toFixed(1)} ms`;
console.log(`\nvector search, D = ${DIMENSION}, ${QUERIES} queries, k = ${K}`);
console.log(
  [
    'mode',
    'rows',
    'load s',
    'index s',
    'search',
    'p50',
    'p99',
    'recall@10',
    'exact p50 / p50',
  ].join(' | '),
);
for (const r of results) {
  const exactP50 = percentile(r.exact, 50);
  const head = [r.mode, String(r.count), r.loadSeconds.toFixed(0), r.indexSeconds.toFixed(0)];
  console.log(
    [...head, 'exact', fmt(exactP50), fmt(percentile(r.exact, 99)), '1.000', '1.00'].join(' | '),
  );
  for (const a of r.approximate) {
    const p50 = percentile(a.latencies, 50);
    console.log(
      [
        ...head,
        `hnsw ef=${a.efSearch}`,
        fmt(p50),
        fmt(percentile(a.latencies, 99)),
        a.recall.toFixed(3),
        (exactP50 / p50).toFixed(2),
      ].join(' | '),
    );
  }
}
