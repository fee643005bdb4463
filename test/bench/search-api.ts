/**
 * p50/p99 latency and throughput of the GraphQL `search` query over HTTP at concurrency 1, 8 and
 * 32 against BENCH_ITEMS (default 100,000) embedded items, next to the same search as raw SQL
 * (EmbeddingRepository.search) in the same run, on PGlite and on PostgreSQL.
 *
 *   npx tsx test/bench/search-api.ts          # BENCH_ITEMS=20000 for a quicker run
 */
import { request } from 'node:http';
import { startApp, parseEnv, silentLogger } from '@concord/api';
import { createRepositories, openDatabase, type Database } from '@concord/db';
import { clusteredUnitVectors, createServerDatabase } from '@concord/db/testing';

const ITEMS = Number(process.env.BENCH_ITEMS ?? 100_000);
const DIMENSION = 128;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const CONCURRENCY = [1, 8, 32];
const K = 10;

interface Row {
  mode: string;
  via: string;
  concurrency: number;
  p50: number;
  p99: number;
  qps: number;
}

async function seed(db: Database): Promise<{ datasetId: string; queries: Float32Array[] }> {
  const repos = createRepositories(db);
  const dataset = await repos.datasets.create({
    name: 'bench',
    modalities: ['image', 'text'],
    dimension: DIMENSION,
  });
  const site = await repos.datasets.createSite(dataset.id, { name: 'hq' });
  await db.sql.query(
    `INSERT INTO item (id, dataset_id, site_id, modality, mime_type, size_bytes, checksum, status, updated_at)
     SELECT gen_random_uuid(), $1, $2, CASE WHEN i % 2 = 0 THEN 'image' ELSE 'text' END, 'text/plain', 0,
            md5(i::text) || md5((i + 1)::text), 'READY', now()
     FROM generate_series(1, $3) AS i`,
    [dataset.id, site.id, ITEMS],
  );
  const itemIds = (
    await db.sql.query<{ id: string }>('SELECT id FROM item WHERE dataset_id = $1 ORDER BY id', [
      dataset.id,
    ])
  ).map((r) => r.id);
  const model = await db.prisma.model.create({
    data: { datasetId: dataset.id, version: 1, status: 'READY', dimension: DIMENSION, config: {} },
  });
  const { vectors } = clusteredUnitVectors({
    count: ITEMS + 100,
    dimension: DIMENSION,
    clusters: 50,
    spread: 0.6,
    seed: 7,
  });
  for (let start = 0; start < ITEMS; start += 2000) {
    const rows = itemIds
      .slice(start, start + 2000)
      .map((itemId, i) => ({ itemId, vector: vectors[start + i]! }));
    await db.embeddings.upsertMany(model.id, rows);
  }
  await db.embeddings.buildIndex(model.id);
  await repos.models.promote(model.id);
  return { datasetId: dataset.id, queries: vectors.slice(ITEMS) };
}

function post(url: string, key: string, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${key}`,
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () =>
          res.statusCode === 200 && !text.includes('"errors"')
            ? resolve()
            : reject(new Error(text.slice(0, 300))),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function measure(
  concurrency: number,
  call: (i: number) => Promise<void>,
): Promise<Omit<Row, 'mode' | 'via'>> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < REQUESTS) {
        const i = next++;
        const t0 = performance.now();
        await call(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
  return { concurrency, p50: q(0.5), p99: q(0.99), qps: REQUESTS / seconds };
}

async function benchMode(mode: 'pglite' | 'postgres'): Promise<Row[]> {
  const server = mode === 'postgres' ? await createServerDatabase() : null;
  const db = await openDatabase(
    server
      ? { mode: 'server', url: server.url, poolSize: 16 }
      : { mode: 'embedded', dataDir: null },
  );
  const t0 = performance.now();
  const { datasetId, queries } = await seed(db);
  console.error(
    `${mode}: seeded and indexed ${ITEMS} items in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const app = await startApp(
    parseEnv({ PORT: '0', RUN_WORKER: 'false', NODE_ENV: 'production', DATABASE_POOL_SIZE: '16' }),
    silentLogger,
    { db, serverUrl: server?.url ?? null },
  );
  const rows: Row[] = [];
  const query = `query($d: ID!, $v: [Float!]) { search(datasetId: $d, query: { vector: $v }, first: ${K}) { edges { node { score item { id } } } } }`;
  const modelId = (await db.prisma.dataset.findUniqueOrThrow({ where: { id: datasetId } }))
    .activeModelId!;
  try {
    for (const concurrency of CONCURRENCY) {
      const http = await measure(concurrency, (i) =>
        post(
          app.url!,
          app.adminKey!,
          JSON.stringify({
            query,
            variables: { d: datasetId, v: Array.from(queries[i % queries.length]!) },
          }),
        ),
      );
      rows.push({ mode, via: 'GraphQL/HTTP', ...http });
      const sql = await measure(concurrency, async (i) => {
        await db.embeddings.search({
          datasetId,
          modelId,
          vector: queries[i % queries.length]!,
          k: K,
          mode: 'approximate',
        });
      });
      rows.push({ mode, via: 'raw SQL', ...sql });
    }
  } finally {
    await app.stop();
    await db.close();
    await server?.drop();
  }
  return rows;
}

const rows: Row[] = [];
for (const mode of ['pglite', 'postgres'] as const) rows.push(...(await benchMode(mode)));
console.log(
  `search over ${ITEMS} items, D=${DIMENSION}, k=${K}, approximate (HNSW), ${REQUESTS} requests per cell`,
);
console.log('mode      via           conc   p50 ms   p99 ms    req/s   GraphQL/SQL p50');
for (const row of rows) {
  const sql = rows.find(
    (r) => r.mode === row.mode && r.via === 'raw SQL' && r.concurrency === row.concurrency,
  )!;
  const ratio = row.via === 'raw SQL' ? '' : (row.p50 / sql.p50).toFixed(2);
  console.log(
    `${row.mode.padEnd(9)} ${row.via.padEnd(13)} ${String(row.concurrency).padStart(4)} ${row.p50.toFixed(1).padStart(8)} ${row.p99.toFixed(1).padStart(8)} ${row.qps.toFixed(0).padStart(8)}   ${ratio}`,
  );
}
