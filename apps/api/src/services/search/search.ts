/**
 * Cross-modal search: the query (text, image, an item, or a raw vector) is featurised exactly as
 * the corpus was, embedded by the model's network for its modality, and matched against one
 * model's embeddings only — the active model unless `modelId` names another; a next page (`after`)
 * stays on the model its cursor was made on (search-model.ts).
 */
import type { Dataset, Model, SearchMode } from '@concord/db';
import { MAX_SEARCH_PAGE } from '@concord/db';
import { authorize, type Principal } from '../../auth/principal.ts';
import type { AppDeps } from '../../context.ts';
import { AppError, badInput, notFound } from '../../errors.ts';
import {
  checkImportedVector,
  importedFeaturesOf,
  isImportedId,
} from '../datasets/imported-features.ts';
import { searchModelOf } from './search-model.ts';

export interface SearchQuery {
  text?: string | null;
  image?: Uint8Array | null;
  itemId?: string | null;
  vector?: number[] | null;
  /** Input features of an imported modality, embedded by the model's network for it. */
  features?: number[] | null;
  featuresModality?: 'image' | 'text' | null;
}

export interface SearchArgs {
  datasetId: string;
  query: SearchQuery;
  targetModality?: 'image' | 'text' | null;
  siteIds?: string[] | null;
  labelIds?: string[] | null;
  first: number;
  after?: string | null;
  mode: SearchMode;
  modelId?: string | null;
}

export interface SearchHitResult {
  score: number;
  itemId: string;
  siteId: string;
  modelId: string;
  cursor: string;
}

export interface SearchResult {
  hits: SearchHitResult[];
  hasNextPage: boolean;
  endCursor: string | null;
  model: Model;
  /** Items the search ranks (model's embeddings passing the filters); one COUNT when called. */
  countRanked(): Promise<number>;
}

export async function search(
  deps: AppDeps,
  principal: Principal | null,
  args: SearchArgs,
): Promise<SearchResult> {
  authorize(principal, 'viewer', args.datasetId);
  const dataset = await deps.repos.datasets.findById(args.datasetId);
  if (!dataset) throw notFound('dataset', args.datasetId);
  const model = await searchModelOf(deps, dataset, args.modelId ?? null, args.after ?? null);
  if (args.first < 1 || args.first > Math.min(MAX_SEARCH_PAGE, deps.env.MAX_PAGE_SIZE)) {
    throw badInput(
      `first must be between 1 and ${Math.min(MAX_SEARCH_PAGE, deps.env.MAX_PAGE_SIZE)}.`,
      ['first'],
    );
  }
  const vector = checkQueryVector(await queryVector(deps, dataset, model, args.query));
  const filters = {
    ...(args.targetModality ? { modalities: [args.targetModality] } : {}),
    ...(args.siteIds?.length ? { siteIds: args.siteIds } : {}),
    ...(args.labelIds?.length ? { labelIds: args.labelIds } : {}),
  };
  const page = await deps.db.embeddings.search({
    datasetId: dataset.id,
    modelId: model.id,
    vector,
    k: args.first,
    mode: args.mode,
    after: args.after ?? null,
    filters,
  });
  return {
    hits: page.hits.map((hit) => ({
      score: hit.score,
      itemId: hit.itemId,
      siteId: hit.siteId,
      modelId: model.id,
      cursor: hit.cursor,
    })),
    hasNextPage: page.hasNextPage,
    endCursor: page.endCursor,
    model,
    countRanked: () => deps.db.embeddings.countSearchable({ modelId: model.id, filters }),
  };
}

async function queryVector(
  deps: AppDeps,
  dataset: Dataset,
  model: Model,
  query: SearchQuery,
): Promise<Float32Array | number[]> {
  const given = (['text', 'image', 'itemId', 'vector', 'features'] as const).filter(
    (key) => query[key] != null,
  );
  if (given.length !== 1)
    throw badInput('Give exactly one of text, image, file, itemId, vector or features.', ['query']);
  if (query.vector != null) return query.vector;
  if (query.features != null) return importedQuery(deps, dataset, model, query);
  if (query.itemId != null) {
    const vector = await deps.repos.models.vectorOf(model.id, query.itemId);
    if (!vector)
      throw new AppError(
        'NOT_FOUND',
        `Item ${query.itemId} has no embedding in model v${model.version}.`,
        ['query', 'itemId'],
      );
    return vector;
  }
  const modality = query.text != null ? 'text' : 'image';
  const network = await deps.repos.models.modality(model.id, modality);
  if (network && isImportedId(network.featuriserId))
    throw new AppError(
      'FAILED_PRECONDITION',
      `This dataset's ${modality} features are imported (${network.featuriserId}); query by features or by item.`,
      ['query', modality],
    );
  if (query.text != null) {
    if (query.text.trim().length === 0)
      throw badInput('The query text is empty.', ['query', 'text']);
    const features = await deps.runtime.textFeatures(model.id, query.text);
    return deps.runtime.embed(model.id, 'text', features);
  }
  // The CNN the model's image network was trained on (recorded with it), else the dataset's.
  const imageId =
    network && network.featuriserId !== 'unknown'
      ? network.featuriserId
      : deps.featurisers.imageIdOf(dataset);
  const features = await deps.featurisers.imageFeatures(imageId, query.image!);
  return deps.runtime.embed(model.id, 'image', features);
}

/** Features of an imported modality, checked like ingestion, through the model's network. */
async function importedQuery(
  deps: AppDeps,
  dataset: Dataset,
  model: Model,
  query: SearchQuery,
): Promise<Float32Array> {
  const imported = importedFeaturesOf(dataset);
  const modality =
    query.featuresModality ?? (imported.size === 1 ? [...imported.keys()][0] : undefined);
  if (!modality)
    throw badInput('Give featuresModality: the modality of the query features.', [
      'query',
      'featuresModality',
    ]);
  const features = imported.get(modality);
  const network = await deps.repos.models.modality(model.id, modality);
  if (!features || !network || network.featuriserId !== features.id)
    throw badInput(
      `This dataset's ${modality} features are not imported; query by ${modality === 'text' ? 'text' : 'image'} or by item.`,
      ['query', 'features'],
    );
  const vector = checkImportedVector(query.features!, features, ['query', 'features'], 'The query');
  return deps.runtime.embed(model.id, modality, vector);
}

const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * Cosine similarity needs a non-zero vector, and pgvector stores float32 components and sums their
 * squares in float32, where tiny components underflow to a zero norm and huge ones overflow (both
 * gave NaN scores). Cosine ignores length, so the query is scaled to unit length here, in float64.
 */
function checkQueryVector(vector: Float32Array | number[]): Float32Array {
  let largest = 0;
  for (const x of vector) {
    if (!Number.isFinite(x) || Math.abs(x) > FLOAT32_MAX)
      throw badInput('Every vector component must be a finite float32.', ['query', 'vector']);
    largest = Math.max(largest, Math.abs(x));
  }
  if (largest === 0)
    throw badInput('The query vector is zero: cosine similarity is undefined.', [
      'query',
      'vector',
    ]);
  // Divide by the largest component first so the squares cannot overflow or underflow.
  let sum = 0;
  for (const x of vector) sum += (x / largest) ** 2;
  const norm = largest * Math.sqrt(sum);
  return Float32Array.from(vector, (x) => x / norm);
}
