/**
 * Test support shared by every package's database tests: a fresh, isolated database in each
 * mode — an in-memory PGlite, or a new database on the PostgreSQL server named by
 * TEST_DATABASE_URL (default: the local server CI starts) — dropped again on close.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database, type OpenOptions } from './open-database.ts';

export const DEFAULT_TEST_SERVER_URL = 'postgresql://root@127.0.0.1:5432/test';

export function testServerUrl(): string {
  return process.env.TEST_DATABASE_URL ?? DEFAULT_TEST_SERVER_URL;
}

export interface TestDatabaseMode {
  name: 'pglite' | 'postgres';
  /** A fresh database; `close()` also drops it. */
  open(options?: OpenOptions): Promise<Database>;
  /** A fresh empty database's config for tests that open several clients on it. */
  create(): Promise<{ url: string | null; drop(): Promise<void> }>;
}

export const TEST_DATABASE_MODES: readonly TestDatabaseMode[] = [
  {
    name: 'pglite',
    open: (options) => openDatabase({ mode: 'embedded', dataDir: null }, options),
    create: () => Promise.resolve({ url: null, drop: () => Promise.resolve() }),
  },
  {
    name: 'postgres',
    async open(options) {
      const created = await createServerDatabase();
      try {
        const db = await openDatabase({ mode: 'server', url: created.url, poolSize: 4 }, options);
        return {
          ...db,
          async close() {
            await db.close();
            await created.drop();
          },
        };
      } catch (error) {
        await created.drop();
        throw error;
      }
    },
    create: createServerDatabase,
  },
];

export async function createServerDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = testServerUrl();
  const name = `concord_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await withAdmin(adminUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      );
    },
  };
}

async function withAdmin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Deterministic PRNG (mulberry32) so fixtures are identical run to run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(random: () => number): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

function normalise(vector: Float32Array): Float32Array {
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm);
  for (let i = 0; i < vector.length; i += 1) vector[i] = vector[i]! / norm;
  return vector;
}

/**
 * Unit vectors drawn around `clusters` random unit centres, as real embeddings cluster by class:
 * each is centre + N(0, spread²/dim) noise per component, renormalised.
 */
export function clusteredUnitVectors(options: {
  count: number;
  dimension: number;
  clusters: number;
  spread: number;
  seed: number;
}): { vectors: Float32Array[]; cluster: number[]; centres: Float32Array[] } {
  const random = seededRandom(options.seed);
  const noise = options.spread / Math.sqrt(options.dimension);
  const centres = Array.from({ length: options.clusters }, () =>
    normalise(Float32Array.from({ length: options.dimension }, () => gaussian(random))),
  );
  const cluster: number[] = [];
  const vectors = Array.from({ length: options.count }, (_, i) => {
    const c = i % options.clusters;
    cluster.push(c);
    const centre = centres[c]!;
    return normalise(
      Float32Array.from(
        { length: options.dimension },
        (_, j) => centre[j]! + noise * gaussian(random),
      ),
    );
  });
  return { vectors, cluster, centres };
}
