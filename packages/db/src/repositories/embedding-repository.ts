/**
 * Shared-space embeddings: batched upsert, per-model HNSW indexes, and top-k cosine search —
 * exact or approximate (HNSW with pgvector 0.8 iterative scans) — with filters and keyset paging.
 */
import { DbError } from '../errors.ts';
import type { SqlClient, SqlExecutor } from '../sql.ts';
import {
  assertUuid,
  assertVector,
  hnswIndexName,
  indexedType,
  isUuid,
  opsClass,
  vectorLiteral,
  type VectorInput,
} from '../vector-sql.ts';
import {
  decodeSearchCursor,
  encodeSearchCursor,
  malformedCursor,
  type SearchCursor,
} from './search-cursor.ts';

export type SearchMode = 'exact' | 'approximate';

export const DEFAULT_EF_SEARCH = 100;
export const DEFAULT_MAX_SCAN_TUPLES = 20_000;
export const DEFAULT_HNSW_M = 16;
export const DEFAULT_HNSW_EF_CONSTRUCTION = 64;
export const MAX_SEARCH_PAGE = 1000;

export interface EmbeddingInput {
  itemId: string;
  vector: VectorInput;
}

export interface SearchFilters {
  siteIds?: readonly string[];
  labelIds?: readonly string[];
  modalities?: readonly string[];
}

export interface SearchInput {
  datasetId: string;
  modelId: string;
  vector: VectorInput;
  k: number;
  mode: SearchMode;
  filters?: SearchFilters;
  /** Cursor from a previous page's `endCursor`, made on this model (else it is malformed). */
  after?: string | null;
  /** HNSW candidate list size; higher = better recall, slower. */
  efSearch?: number;
  /** Upper bound on tuples an iterative scan visits before giving up. */
  maxScanTuples?: number;
}

export interface SearchHit {
  embeddingId: string;
  itemId: string;
  siteId: string;
  modality: string;
  /** Cosine distance (1 − cosine similarity). */
  distance: number;
  score: number;
  cursor: string;
}

export interface SearchPage {
  hits: SearchHit[];
  hasNextPage: boolean;
  endCursor: string | null;
}

/** One model's embedding of an item, for the item's lineage. */
export interface ItemEmbeddingRef {
  itemId: string;
  modelId: string;
  createdAt: Date;
}

export interface UpsertOptions {
  /**
   * Leave out rows whose item no longer exists (deleted between choosing and writing) instead of
   * refusing the batch: for embedding on arrival and catch-up, where items come and go meanwhile.
   */
  skipMissing?: boolean;
}

export interface HnswOptions {
  m?: number;
  efConstruction?: number;
}

interface ModelRow {
  id: string;
  dataset_id: string;
  dimension: number;
  version: number;
}

interface HitRow {
  id: string;
  item_id: string;
  site_id: string;
  modality: string;
  distance: number;
}

export class EmbeddingRepository {
  constructor(private readonly sql: SqlClient) {}

  /**
   * Writes the model's embedding of each item, replacing an earlier one for the same item, so a
   * retried batch writes no duplicates. Validates everything first: on any error nothing is
   * written.
   */
  async upsertMany(
    modelId: string,
    rows: readonly EmbeddingInput[],
    options: UpsertOptions = {},
  ): Promise<number> {
    const model = await this.findModel(this.sql, modelId);
    rows.forEach((row, index) => assertVector(row.vector, model.dimension, `vector #${index}`));
    if (rows.length === 0) return 0;
    const itemIds = rows.map((row) => row.itemId);
    const badId = itemIds.find((id) => !isUuid(id));
    if (badId !== undefined)
      throw new DbError('NOT_FOUND', `Unknown item id: ${JSON.stringify(badId)}.`);
    if (new Set(itemIds).size !== itemIds.length) {
      throw new DbError('INVALID_ARGUMENT', 'The batch holds the same item twice.');
    }
    return this.sql.transaction(async (tx) => {
      const written = await tx.query<{ item_id: string }>(
        `INSERT INTO embedding (item_id, model_id, dataset_id, site_id, modality, vector)
         SELECT i.id, $1::uuid, i.dataset_id, i.site_id, i.modality, v.vec::vector
         FROM unnest($2::uuid[], $3::text[]) AS v(item_id, vec)
         JOIN item i ON i.id = v.item_id AND i.dataset_id = $4::uuid
         ON CONFLICT (model_id, item_id)
           DO UPDATE SET vector = EXCLUDED.vector, created_at = CURRENT_TIMESTAMP
         RETURNING item_id`,
        [modelId, itemIds, rows.map((row) => vectorLiteral(row.vector)), model.dataset_id],
      );
      if (written.length !== rows.length && !options.skipMissing) {
        const found = new Set(written.map((row) => row.item_id));
        const missing = itemIds.find((id) => !found.has(id));
        throw new DbError(
          'NOT_FOUND',
          `Unknown item id in this model's dataset: ${JSON.stringify(missing)}.`,
        );
      }
      return written.length;
    });
  }

  async count(modelId: string): Promise<number> {
    assertUuid(modelId, 'model');
    const [row] = await this.sql.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM embedding WHERE model_id = $1',
      [modelId],
    );
    return row?.n ?? 0;
  }

  /**
   * Up to `limit` READY items of the model's dataset, of a modality the model has a network for,
   * that the model has not embedded (items stored after its training run was planned, or while
   * embedding on arrival failed), in id order after `afterId`.
   */
  async missingItems(
    modelId: string,
    limit: number,
    afterId: string | null = null,
  ): Promise<{ itemId: string; modality: string }[]> {
    assertUuid(modelId, 'model');
    if (afterId !== null) assertUuid(afterId, 'item');
    const rows = await this.sql.query<{ id: string; modality: string }>(
      `SELECT i.id, i.modality FROM item i
       JOIN model m ON m.id = $1::uuid AND i.dataset_id = m.dataset_id
       JOIN model_modality mm ON mm.model_id = m.id AND mm.modality = i.modality
       WHERE i.status = 'READY' AND ($3::uuid IS NULL OR i.id > $3::uuid)
         AND NOT EXISTS (SELECT 1 FROM embedding e WHERE e.model_id = m.id AND e.item_id = i.id)
       ORDER BY i.id
       LIMIT $2`,
      [modelId, limit, afterId],
    );
    return rows.map((row) => ({ itemId: row.id, modality: row.modality }));
  }

  /** Which models have embedded each of `itemIds` (for the item's lineage), oldest first. */
  async modelsOf(itemIds: readonly string[]): Promise<ItemEmbeddingRef[]> {
    const ids = itemIds.filter(isUuid);
    if (ids.length === 0) return [];
    const rows = await this.sql.query<{ item_id: string; model_id: string; created_at: Date }>(
      `SELECT item_id, model_id, created_at FROM embedding
       WHERE item_id = ANY($1::uuid[]) ORDER BY created_at, model_id`,
      [ids],
    );
    return rows.map((row) => ({
      itemId: row.item_id,
      modelId: row.model_id,
      createdAt: new Date(row.created_at),
    }));
  }

  /** Whether the model has any embedding (one index probe, unlike `count`). */
  async hasEmbeddings(modelId: string): Promise<boolean> {
    assertUuid(modelId, 'model');
    const [row] = await this.sql.query<{ present: boolean }>(
      'SELECT EXISTS (SELECT 1 FROM embedding WHERE model_id = $1) AS present',
      [modelId],
    );
    return row?.present === true;
  }

  /** Builds (or keeps) the model's partial HNSW cosine index; call once its embeddings are in. */
  async buildIndex(modelId: string, options: HnswOptions = {}): Promise<void> {
    const model = await this.findModel(this.sql, modelId);
    const m = options.m ?? DEFAULT_HNSW_M;
    const efConstruction = options.efConstruction ?? DEFAULT_HNSW_EF_CONSTRUCTION;
    if (!Number.isInteger(m) || m < 2 || m > 100) {
      throw new DbError('INVALID_ARGUMENT', `HNSW m must be an integer in 2..100, not ${m}.`);
    }
    if (!Number.isInteger(efConstruction) || efConstruction < 2 * m || efConstruction > 1000) {
      throw new DbError('INVALID_ARGUMENT', `HNSW ef_construction must be in 2m..1000.`);
    }
    await this.sql.exec(
      `CREATE INDEX IF NOT EXISTS ${hnswIndexName(modelId)} ON embedding
       USING hnsw ((vector::${indexedType(model.dimension)}) ${opsClass(model.dimension)})
       WITH (m = ${m}, ef_construction = ${efConstruction})
       WHERE model_id = '${modelId}'`,
    );
    // Fresh statistics, or the planner keeps estimating an empty table and ignores the index.
    await this.sql.exec('ANALYZE embedding');
  }

  async dropIndex(modelId: string): Promise<void> {
    await this.sql.exec(`DROP INDEX IF EXISTS ${hnswIndexName(modelId)}`);
  }

  async hasIndex(modelId: string): Promise<boolean> {
    const rows = await this.sql.query(
      `SELECT 1 FROM pg_indexes WHERE tablename = 'embedding' AND indexname = $1`,
      [hnswIndexName(modelId)],
    );
    return rows.length > 0;
  }

  async search(input: SearchInput): Promise<SearchPage> {
    const k = input.k;
    return this.sql.transaction(async (tx) => {
      const query = await this.prepareSearch(tx, input);
      const rows = await tx.query<HitRow>(query.text, query.params);
      const hits = rows.slice(0, k).map((row) => toHit(row, query.model));
      return { hits, hasNextPage: rows.length > k, endCursor: hits.at(-1)?.cursor ?? null };
    });
  }

  /**
   * How many embeddings a search over this model with these filters ranks: every one of them is
   * a hit at some position, so this is the length of the full (exact) result list. An
   * approximate search may end its pages earlier (the iterative scan stops at
   * `hnsw.max_scan_tuples`).
   */
  async countSearchable(input: { modelId: string; filters?: SearchFilters }): Promise<number> {
    assertUuid(input.modelId, 'model');
    const params: unknown[] = [];
    const param = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    const where = [
      `e.model_id = ${param(input.modelId)}::uuid`,
      ...filterClauses(input.filters, param),
    ];
    const [row] = await this.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM embedding e WHERE ${where.join(' AND ')}`,
      params,
    );
    return Number(row?.n ?? 0);
  }

  /** The query plan `search` would use (EXPLAIN), for operators and tests. */
  async explainSearch(input: SearchInput): Promise<string> {
    return this.sql.transaction(async (tx) => {
      const query = await this.prepareSearch(tx, input);
      const rows = await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${query.text}`, query.params);
      return rows.map((row) => row['QUERY PLAN']).join('\n');
    });
  }

  /** Validates the input, applies the HNSW settings to the transaction and builds the SQL. */
  private async prepareSearch(
    tx: SqlExecutor,
    input: SearchInput,
  ): Promise<{ text: string; params: unknown[]; model: ModelRow }> {
    assertUuid(input.datasetId, 'dataset');
    if (!Number.isInteger(input.k) || input.k < 1 || input.k > MAX_SEARCH_PAGE) {
      throw new DbError('INVALID_ARGUMENT', `k must be an integer in 1..${MAX_SEARCH_PAGE}.`);
    }
    const efSearch = input.efSearch ?? Math.max(DEFAULT_EF_SEARCH, input.k);
    if (!Number.isInteger(efSearch) || efSearch < 1 || efSearch > 1000) {
      throw new DbError('INVALID_ARGUMENT', 'efSearch must be an integer in 1..1000.');
    }
    const maxScanTuples = input.maxScanTuples ?? DEFAULT_MAX_SCAN_TUPLES;
    if (!Number.isInteger(maxScanTuples) || maxScanTuples < 1) {
      throw new DbError('INVALID_ARGUMENT', 'maxScanTuples must be a positive integer.');
    }
    const after = input.after ? decodeSearchCursor(input.after) : null;
    const model = await this.findModel(tx, input.modelId);
    // A cursor continues the ranking of the model it was made on, and no other.
    if (after && (after.modelId !== model.id || after.modelVersion !== model.version))
      throw malformedCursor();
    if (model.dataset_id !== input.datasetId) {
      const [dataset] = await tx.query('SELECT 1 FROM dataset WHERE id = $1', [input.datasetId]);
      throw new DbError(
        'NOT_FOUND',
        dataset
          ? `Model ${input.modelId} does not belong to dataset ${input.datasetId}.`
          : `Unknown dataset id: ${JSON.stringify(input.datasetId)}.`,
      );
    }
    assertVector(input.vector, model.dimension, 'query vector');

    const params: unknown[] = [vectorLiteral(input.vector)];
    const param = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    const approximate = input.mode === 'approximate';
    const type = approximate ? indexedType(model.dimension) : 'vector';
    const distance = approximate
      ? `(e.vector::${type}) <=> $1::${type}`
      : `e.vector <=> $1::vector`;
    // The model id is inlined (validated UUID) so the planner can match the partial index.
    const where = [`e.model_id = '${model.id}'`, ...filterClauses(input.filters, param)];
    if (after) {
      const d = param(after.distance);
      where.push(`((${distance}) > ${d} OR ((${distance}) = ${d} AND e.id > ${param(after.id)}))`);
    }
    const limit = param(input.k + 1);
    const select = `SELECT e.id::text AS id, e.item_id, e.site_id, e.modality, ${distance} AS distance
      FROM embedding e WHERE ${where.join(' AND ')}`;
    if (!approximate)
      return { text: `${select} ORDER BY distance, e.id LIMIT ${limit}`, params, model };

    // Approximate means the HNSW index: sequential and bitmap scans are ruled out for this
    // transaction, so the planner cannot silently turn the search into an exact one.
    await tx.query(
      `SELECT set_config('hnsw.ef_search', $1, true),
              set_config('hnsw.iterative_scan', 'strict_order', true),
              set_config('hnsw.max_scan_tuples', $2, true),
              set_config('enable_seqscan', 'off', true),
              set_config('enable_bitmapscan', 'off', true)`,
      [String(efSearch), String(maxScanTuples)],
    );
    // The inner ORDER BY is the bare distance so the HNSW index can serve it; ties are then
    // broken by id for a stable order.
    return {
      text: `SELECT * FROM (${select} ORDER BY distance LIMIT ${limit}) hits
             ORDER BY distance, id::bigint`,
      params,
      model,
    };
  }

  private async findModel(executor: SqlExecutor, modelId: string): Promise<ModelRow> {
    assertUuid(modelId, 'model');
    const [model] = await executor.query<ModelRow>(
      'SELECT id, dataset_id, dimension, version FROM model WHERE id = $1',
      [modelId],
    );
    if (!model) throw new DbError('NOT_FOUND', `Unknown model id: ${JSON.stringify(modelId)}.`);
    return model;
  }
}

function filterClauses(
  filters: SearchFilters | undefined,
  param: (value: unknown) => string,
): string[] {
  const clauses: string[] = [];
  if (filters?.modalities?.length)
    clauses.push(`e.modality = ANY(${param(filters.modalities)}::text[])`);
  if (filters?.siteIds?.length) {
    filters.siteIds.forEach((id) => assertUuid(id, 'site'));
    clauses.push(`e.site_id = ANY(${param(filters.siteIds)}::uuid[])`);
  }
  if (filters?.labelIds?.length) {
    filters.labelIds.forEach((id) => assertUuid(id, 'label'));
    clauses.push(
      `EXISTS (SELECT 1 FROM item_label il WHERE il.item_id = e.item_id AND il.label_id = ANY(${param(filters.labelIds)}::uuid[]))`,
    );
  }
  return clauses;
}

function toHit(row: HitRow, model: ModelRow): SearchHit {
  const distance = Number(row.distance);
  const cursor: SearchCursor = {
    distance,
    id: row.id,
    modelId: model.id,
    modelVersion: model.version,
  };
  return {
    embeddingId: row.id,
    itemId: row.item_id,
    siteId: row.site_id,
    modality: row.modality,
    distance,
    score: 1 - distance,
    cursor: encodeSearchCursor(cursor),
  };
}
