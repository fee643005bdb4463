/**
 * What must hold after every fault, read straight from the database: items exactly as ingested
 * (no loss, no duplicates), one model for the run with every item embedded exactly once, the
 * active model consistent, no leftover checkpoints and no training job left unfinished.
 */
import { openDatabase } from '@concord/db';
import { expect } from 'vitest';

export interface Expected {
  datasetId: string;
  runId?: string;
  items: number;
  epochs?: number;
}

/** One query on a short-lived connection (the server may have restarted since the last one). */
export async function sql<Row extends object>(
  url: string,
  text: string,
  params: unknown[] = [],
): Promise<Row[]> {
  const db = await openDatabase({ mode: 'server', url, poolSize: 1 }, { migrate: false });
  try {
    return await db.sql.query<Row>(text, params);
  } finally {
    await db.close();
  }
}

/** A connection kept open, for tight polling. */
export async function connect(url: string) {
  const db = await openDatabase({ mode: 'server', url, poolSize: 1 }, { migrate: false });
  return {
    query: <Row extends object>(text: string, params: unknown[] = []) =>
      db.sql.query<Row>(text, params),
    close: () => db.close(),
  };
}

export async function checkInvariants(url: string, expected: Expected): Promise<void> {
  const [items] = await sql<{ n: number; keys: number; sums: number }>(
    url,
    `SELECT count(*)::int AS n, count(DISTINCT (modality, external_key))::int AS keys,
            count(DISTINCT (modality, checksum))::int AS sums
     FROM item WHERE dataset_id = $1`,
    [expected.datasetId],
  );
  expect(items).toEqual({ n: expected.items, keys: expected.items, sums: expected.items });
  if (!expected.runId) return;

  const models = await sql<{ id: string; status: string; run: string | null }>(
    url,
    `SELECT id, status, training_run_id AS run FROM model WHERE dataset_id = $1`,
    [expected.datasetId],
  );
  expect(models).toHaveLength(1);
  const model = models[0]!;
  expect(model.run).toBe(expected.runId);
  expect(model.status).toBe('ACTIVE');
  const [dataset] = await sql<{ active: string | null }>(
    url,
    `SELECT active_model_id AS active FROM dataset WHERE id = $1`,
    [expected.datasetId],
  );
  expect(dataset?.active).toBe(model.id);

  const [embeddings] = await sql<{ n: number; items: number }>(
    url,
    `SELECT count(*)::int AS n, count(DISTINCT item_id)::int AS items
     FROM embedding WHERE model_id = $1`,
    [model.id],
  );
  expect(embeddings).toEqual({ n: expected.items, items: expected.items });

  if (expected.epochs !== undefined) {
    const [epochs] = await sql<{ n: number }>(
      url,
      `SELECT count(*)::int AS n FROM training_epoch WHERE run_id = $1`,
      [expected.runId],
    );
    expect(epochs?.n).toBe(expected.epochs);
  }
  const [checkpoints] = await sql<{ n: number }>(
    url,
    `SELECT count(*)::int AS n FROM training_checkpoint WHERE run_id = $1`,
    [expected.runId],
  );
  expect(checkpoints?.n).toBe(0);
  const open = await sql<{ name: string; state: string }>(
    url,
    `SELECT name, state::text FROM pgboss.job
     WHERE name LIKE 'training%' AND state::text IN ('created', 'retry', 'active')`,
  );
  expect(open).toEqual([]);
}
