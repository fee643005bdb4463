/**
 * A worker killed with SIGKILL in the middle of a bulk ingestion (server mode, API and workers as
 * separate processes on a fresh PostgreSQL database), after some but not all staged items have
 * their outcome. pg-boss expires the dead worker's job (INGESTION_JOB_EXPIRE_SECONDS = 20 here)
 * and a new worker takes it: the rows with an outcome are skipped, the rest redone, and the
 * ingestion ends exactly as an uninterrupted one — one item per distinct key (items are
 * identified by key; the request repeats some keys with their content, which are duplicates), no
 * duplicate checksums, one outcome per staged row, one feature vector per image, counts from the
 * rows.
 * With no retry left, the ingestion fails with the reason and keeps what it stored.
 */
import { describe, expect, it } from 'vitest';
import { corpusItems, type IngestItem } from '../scale-out/support/corpus.ts';
import { gql, waitFor } from '../scale-out/support/graphql.ts';
import { connect, sql } from './support/checks.ts';
import { createDataset, serverProcesses, type Api } from './support/scenario.ts';

const EXPIRE_SECONDS = 20;
/** Two items per chunk: many progress points, so the kill lands between chunks' commits. */
const BULK_ENV = {
  INGESTION_CHUNK_SIZE: '2',
  INGESTION_JOB_EXPIRE_SECONDS: String(EXPIRE_SECONDS),
  INGESTION_SLICE_SECONDS: '8',
};

const START = `mutation($input: StartBulkIngestionInput!) {
  startBulkIngestion(input: $input) { ingestion { id status total } errors { code message } }
}`;
const READ = `query($id: ID!) {
  bulkIngestion(id: $id) {
    status total processed created duplicates failed attempts error
  }
}`;

interface IngestionView {
  status: string;
  total: number;
  processed: number;
  created: number;
  duplicates: number;
  failed: number;
  attempts: number;
  error: string | null;
}

describe('a worker killed with SIGKILL mid-ingestion', () => {
  const { cleanup, worker, ...processes } = serverProcesses();

  async function setup(name: string, env: Record<string, string>) {
    const { url, api } = await processes.setup(name, env);
    const db = await connect(url);
    cleanup.push(() => db.close());
    return { url, api, db };
  }

  /** Images and texts interleaved, then every fifth item's content again under another key. */
  function request(perClass: number): { items: IngestItem[]; distinct: number; images: number } {
    const { images, texts } = corpusItems(perClass);
    const unique = images.flatMap((image, i) => (texts[i] ? [image, texts[i]] : [image]));
    // Every fifth item again, same key and content: a duplicate.
    const again = unique.filter((_, i) => i % 5 === 0).map((item) => ({ ...item }));
    return { items: [...unique, ...again], distinct: unique.length, images: images.length };
  }

  async function start(api: Api, datasetId: string, items: IngestItem[]): Promise<string> {
    const r = await gql<{
      startBulkIngestion: { ingestion: { id: string } | null; errors: unknown[] };
    }>(api.url, api.key, START, { input: { datasetId, createLabels: true, items } });
    expect(r.errors).toBeUndefined();
    expect(r.data.startBulkIngestion.errors).toEqual([]);
    return r.data.startBulkIngestion.ingestion!.id;
  }

  const read = async (api: Api, id: string) =>
    (await gql<{ bulkIngestion: IngestionView }>(api.url, api.key, READ, { id })).data
      .bulkIngestion;

  const waitForEnd = (api: Api, id: string) =>
    waitFor(
      async () => {
        const ingestion = await read(api, id);
        return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(ingestion.status)
          ? ingestion
          : undefined;
      },
      420_000,
      'the bulk ingestion to end',
      1000,
    );

  /** Kills `w` once some but not all staged rows have their outcome; returns how many had. */
  async function killMidway(
    db: Awaited<ReturnType<typeof connect>>,
    id: string,
    total: number,
    w: { kill(signal?: NodeJS.Signals): Promise<void> },
  ): Promise<number> {
    const done = async () =>
      (
        await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM bulk_ingestion_item
           WHERE ingestion_id = $1 AND status <> 'PENDING'`,
          [id],
        )
      )[0]!.n;
    await waitFor(
      async () => ((await done()) >= 6 ? true : undefined),
      300_000,
      'the first outcomes',
      30,
    );
    await w.kill('SIGKILL');
    const atKill = await done();
    expect(atKill).toBeGreaterThan(0);
    expect(atKill).toBeLessThan(total);
    return atKill;
  }

  it('a new worker finishes it: every content once, every staged row one outcome, exact counts', async () => {
    const { url, api, db } = await setup('bulk-kill', BULK_ENV);
    const datasetId = await createDataset(api, 'bulk-kill-mid-ingestion');
    const { items, distinct, images } = request(20);
    const first = await worker('bulk-kill-w1', url, BULK_ENV);
    const id = await start(api, datasetId, items);

    const atKill = await killMidway(db, id, items.length, first);
    console.log(`worker killed with ${atKill} of ${items.length} staged items done`);
    expect((await read(api, id)).status).toBe('RUNNING');

    await worker('bulk-kill-w2', url, BULK_ENV);
    const ingestion = await waitForEnd(api, id);
    expect(ingestion.error).toBeNull();
    expect(ingestion).toMatchObject({
      status: 'SUCCEEDED',
      total: items.length,
      processed: items.length,
      created: distinct,
      duplicates: items.length - distinct,
      failed: 0,
    });
    expect(ingestion.attempts).toBeGreaterThanOrEqual(2);

    const [stored] = await sql<{ n: number; sums: number; keys: number }>(
      url,
      `SELECT count(*)::int AS n, count(DISTINCT (modality, checksum))::int AS sums,
              count(DISTINCT (modality, external_key))::int AS keys
       FROM item WHERE dataset_id = $1`,
      [datasetId],
    );
    expect(stored).toEqual({ n: distinct, sums: distinct, keys: distinct });
    const [rows] = await sql<Record<string, number>>(
      url,
      `SELECT count(*)::int AS rows,
              count(*) FILTER (WHERE status = 'PENDING')::int AS pending,
              count(*) FILTER (WHERE status = 'CREATED')::int AS created,
              count(DISTINCT item_id) FILTER (WHERE status = 'CREATED')::int AS created_items,
              count(*) FILTER (WHERE status <> 'FAILED' AND item_id IS NULL)::int AS without_item,
              count(*) FILTER (WHERE content IS NOT NULL OR text IS NOT NULL)::int AS with_content,
              count(*) FILTER (WHERE finished_at IS NULL)::int AS unfinished
       FROM bulk_ingestion_item WHERE ingestion_id = $1`,
      [id],
    );
    expect(rows).toEqual({
      rows: items.length,
      pending: 0,
      created: distinct,
      created_items: distinct,
      without_item: 0,
      with_content: 0,
      unfinished: 0,
    });
    const [vectors] = await sql<{ n: number; items: number }>(
      url,
      `SELECT count(*)::int AS n, count(DISTINCT f.item_id)::int AS items
       FROM feature_vector f JOIN item i ON i.id = f.item_id WHERE i.dataset_id = $1`,
      [datasetId],
    );
    expect(vectors).toEqual({ n: images, items: images });
    const [labels] = await sql<{ n: number }>(
      url,
      `SELECT count(*)::int AS n FROM item_label l JOIN item i ON i.id = l.item_id
       WHERE i.dataset_id = $1`,
      [datasetId],
    );
    expect(labels?.n).toBe(distinct);
    const open = await sql<{ name: string }>(
      url,
      `SELECT name FROM pgboss.job
       WHERE name LIKE 'ingestion%' AND state::text IN ('created', 'retry', 'active')`,
    );
    expect(open).toEqual([]);
  }, 600_000);

  it('with no retries left: the ingestion fails with the reason and keeps what it stored', async () => {
    const env = { ...BULK_ENV, INGESTION_JOB_RETRY_LIMIT: '0' };
    const { url, api, db } = await setup('bulk-final', env);
    const datasetId = await createDataset(api, 'bulk-kill-no-retry');
    const { items } = request(12);
    const first = await worker('bulk-final-w1', url, env);
    const id = await start(api, datasetId, items);
    await killMidway(db, id, items.length, first);

    await worker('bulk-final-w2', url, env);
    const ingestion = await waitForEnd(api, id);
    expect(ingestion.status).toBe('FAILED');
    expect(ingestion.error).toMatch(/^given up after 1 attempt: its worker died/);
    expect(ingestion.processed).toBeLessThan(items.length);
    expect(ingestion.processed).toBe(ingestion.created + ingestion.duplicates + ingestion.failed);
    const [stored] = await sql<{ n: number; sums: number }>(
      url,
      `SELECT count(*)::int AS n, count(DISTINCT (modality, checksum))::int AS sums
       FROM item WHERE dataset_id = $1`,
      [datasetId],
    );
    expect(stored).toEqual({ n: ingestion.created, sums: ingestion.created });
    const [rows] = await sql<{ pending: number; with_content: number }>(
      url,
      `SELECT count(*) FILTER (WHERE status = 'PENDING')::int AS pending,
              count(*) FILTER (WHERE content IS NOT NULL OR text IS NOT NULL)::int AS with_content
       FROM bulk_ingestion_item WHERE ingestion_id = $1`,
      [id],
    );
    expect(rows).toEqual({ pending: items.length - ingestion.processed, with_content: 0 });
  }, 600_000);
});
