/**
 * What evaluating models on the held-out split needs: the dataset's current TEST items that every
 * given model has embedded (with their label indices and site), and a model's vectors of them.
 */
import { DbError } from '../errors.ts';
import type { SqlExecutor } from '../sql.ts';
import { assertUuid } from '../vector-sql.ts';

/** Vectors read per statement. */
const BATCH = 2000;

export interface HeldOutItem {
  id: string;
  modality: string;
  siteId: string;
  /** Class ids (`label.index`) of the item's labels, ascending; never empty. */
  labelIndices: number[];
}

interface ItemRow {
  id: string;
  modality: string;
  site_id: string;
  label_indices: number[];
}

export class HeldOutRepository {
  constructor(private readonly sql: SqlExecutor) {}

  /**
   * The dataset's READY items of the TEST split, with at least one label, that every model in
   * `modelIds` has embedded, ordered by modality then id (the same order for every model).
   */
  async items(datasetId: string, modelIds: readonly string[]): Promise<HeldOutItem[]> {
    assertUuid(datasetId, 'dataset');
    modelIds.forEach((id) => assertUuid(id, 'model'));
    const rows = await this.sql.query<ItemRow>(
      `SELECT i.id, i.modality, i.site_id, array_agg(l.index ORDER BY l.index) AS label_indices
       FROM item i
       JOIN item_label il ON il.item_id = i.id
       JOIN label l ON l.id = il.label_id
       WHERE i.dataset_id = $1::uuid AND i.split = 'TEST' AND i.status = 'READY'
         AND NOT EXISTS (
           SELECT 1 FROM unnest($2::uuid[]) AS m(id)
           WHERE NOT EXISTS (SELECT 1 FROM embedding e WHERE e.model_id = m.id AND e.item_id = i.id))
       GROUP BY i.id, i.modality, i.site_id
       ORDER BY i.modality, i.id`,
      [datasetId, [...modelIds]],
    );
    return rows.map((row) => ({
      id: row.id,
      modality: row.modality,
      siteId: row.site_id,
      labelIndices: row.label_indices.map(Number),
    }));
  }

  /**
   * The model's embeddings of `itemIds`, row-major (itemIds.length × dimension) in the order
   * given; refused when the model has not embedded one of them.
   */
  async vectors(
    modelId: string,
    dimension: number,
    itemIds: readonly string[],
  ): Promise<Float32Array> {
    assertUuid(modelId, 'model');
    const out = new Float32Array(itemIds.length * dimension);
    const position = new Map(itemIds.map((id, i) => [id, i]));
    let found = 0;
    for (let start = 0; start < itemIds.length; start += BATCH) {
      const rows = await this.sql.query<{ item_id: string; v: string }>(
        `SELECT item_id, vector::text AS v FROM embedding
         WHERE model_id = $1::uuid AND item_id = ANY($2::uuid[])`,
        [modelId, itemIds.slice(start, start + BATCH)],
      );
      for (const row of rows) {
        const values = JSON.parse(row.v) as number[];
        if (values.length !== dimension) {
          throw new DbError(
            'INVALID_ARGUMENT',
            `Embedding of item ${row.item_id} has ${values.length} dimensions, not ${dimension}.`,
          );
        }
        out.set(values, position.get(row.item_id)! * dimension);
        found += 1;
      }
    }
    if (found !== itemIds.length) {
      throw new DbError(
        'NOT_FOUND',
        `Model ${modelId} has embedded ${found} of the ${itemIds.length} items asked for.`,
      );
    }
    return out;
  }
}
