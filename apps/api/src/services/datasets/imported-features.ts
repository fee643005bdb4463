/**
 * Modalities whose features come from a team's own encoder: the dataset stores no raw content for
 * them, only vectors given at ingestion (`IngestItemInput.vector`, the import CLI's `--vectors`),
 * recorded under the featuriser id `vectors/<name>`. Chosen at creation and fixed, like the CNN.
 *
 * Stored in `Dataset.featurisers` beside the other ids:
 * `{ image: 'vectors/sift', text: 'lsa-tfidf', imported: { image: { dimension: 128 } } }`.
 */
import { checkVector } from '@concord/features';
import { badInput } from '../../errors.ts';

export type DatasetModality = 'image' | 'text';

export const IMPORTED_PREFIX = 'vectors/';
/** The version every imported vector records (the team's encoder is not known here). */
export const IMPORTED_VERSION = 'imported';
/** Input features only: pgvector's limits bind the shared-space embeddings, not these. */
export const MAX_IMPORTED_DIMENSION = 16_000;
/**
 * Marks a staged bulk-ingestion row whose `content` is an imported vector's float32
 * little-endian bytes rather than raw content.
 */
export const VECTOR_MIME = 'application/x.concord.float32-vector';

const VECTOR_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

export interface ImportedFeatures {
  modality: DatasetModality;
  /** `vectors/<name>`. */
  id: string;
  dimension: number;
}

export interface ImportedFeaturesInput {
  modality: string;
  name: string;
  dimension: number;
}

/** Checks the createDataset input; returns the featuriser ids and dimensions to store. */
export function parseImportedFeatures(
  given: readonly ImportedFeaturesInput[],
  modalities: readonly string[],
): ImportedFeatures[] {
  const out: ImportedFeatures[] = [];
  given.forEach((entry, i) => {
    const field = (name: string) => ['input', 'importedFeatures', String(i), name];
    const modality = entry.modality.toLowerCase();
    if (modality !== 'image' && modality !== 'text')
      throw badInput('modality must be IMAGE or TEXT.', field('modality'));
    if (!modalities.includes(modality))
      throw badInput(`The dataset has no ${modality} modality.`, field('modality'));
    if (out.some((o) => o.modality === modality))
      throw badInput(`The ${modality} modality is named twice.`, field('modality'));
    if (!VECTOR_NAME.test(entry.name))
      throw badInput(
        'name must be an identifier: a letter or _, then up to 63 letters, digits, _ or -.',
        field('name'),
      );
    if (
      !Number.isInteger(entry.dimension) ||
      entry.dimension < 1 ||
      entry.dimension > MAX_IMPORTED_DIMENSION
    )
      throw badInput(
        `dimension must be an integer in 1..${MAX_IMPORTED_DIMENSION}.`,
        field('dimension'),
      );
    out.push({ modality, id: `${IMPORTED_PREFIX}${entry.name}`, dimension: entry.dimension });
  });
  return out;
}

/** The imported modalities a dataset was created with. */
export function importedFeaturesOf(dataset: {
  featurisers: unknown;
}): Map<DatasetModality, ImportedFeatures> {
  const stored = (dataset.featurisers ?? {}) as Record<string, unknown>;
  const dims = (stored.imported ?? {}) as Record<string, { dimension?: unknown } | undefined>;
  const out = new Map<DatasetModality, ImportedFeatures>();
  for (const modality of ['image', 'text'] as const) {
    const id = stored[modality];
    const dimension = dims[modality]?.dimension;
    if (typeof id === 'string' && id.startsWith(IMPORTED_PREFIX) && typeof dimension === 'number')
      out.set(modality, { modality, id, dimension });
  }
  return out;
}

export function isImportedId(featuriserId: string): boolean {
  return featuriserId.startsWith(IMPORTED_PREFIX);
}

/**
 * A vector for `features` (its dimension, finite float32 values), else BAD_USER_INPUT on
 * `field` with the reason.
 */
export function checkImportedVector(
  values: readonly number[] | Float32Array,
  features: ImportedFeatures,
  field: string[],
  what: string,
): Float32Array {
  try {
    return checkVector(Array.from(values), features.dimension);
  } catch (error) {
    throw badInput(
      `${what}: ${(error as Error).message} (the dataset's ${features.modality} features are ${features.id}, ${features.dimension}-d).`,
      field,
    );
  }
}
