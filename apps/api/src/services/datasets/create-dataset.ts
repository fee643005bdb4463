import type { Dataset } from '@concord/db';
import { authorizeUnscoped, type Principal } from '../../auth/principal.ts';
import type { AppDeps } from '../../context.ts';
import { badInput } from '../../errors.ts';
import type { ImageFeaturiserInfo } from '../../featurisers.ts';
import { BUILTIN_CNNS } from '@concord/features';
import { BUILTIN_PREFIX, isBuiltinCnn } from '../../featurise/catalogue.ts';
import {
  importedFeaturesOf,
  parseImportedFeatures,
  type ImportedFeaturesInput,
} from './imported-features.ts';

export const DEFAULT_DATASET_DIMENSION = 256;
const MODALITIES = new Set(['image', 'text']);

export async function createDataset(
  deps: AppDeps,
  principal: Principal | null,
  input: {
    name: string;
    description?: string | null;
    modalities?: string[] | null;
    dimension?: number | null;
    /** An offered image featuriser's id (`imageFeaturisers`); default the process default. */
    imageFeaturiser?: string | null;
    /** Modalities whose features the team's own encoder gives (`vectors/<name>`). */
    importedFeatures?: readonly ImportedFeaturesInput[] | null;
    /** Whether ingestion may create labels the dataset lacks (default false: refused). */
    allowLabelCreation?: boolean | null;
  },
): Promise<Dataset> {
  authorizeUnscoped(principal, 'admin');
  const name = input.name.trim();
  if (name.length < 1 || name.length > 200)
    throw badInput('name must have 1..200 characters.', ['input', 'name']);
  const modalities = [
    ...new Set((input.modalities ?? ['image', 'text']).map((m) => m.toLowerCase())),
  ];
  if (modalities.length < 1 || modalities.some((m) => !MODALITIES.has(m))) {
    throw badInput('modalities must be among image, text.', ['input', 'modalities']);
  }
  const dimension = input.dimension ?? DEFAULT_DATASET_DIMENSION;
  if (!Number.isInteger(dimension) || dimension < 2 || dimension > 4000) {
    throw badInput('dimension must be an integer in 2..4000.', ['input', 'dimension']);
  }
  const imported = parseImportedFeatures(input.importedFeatures ?? [], modalities);
  const importedImage = imported.find((f) => f.modality === 'image');
  if (importedImage && input.imageFeaturiser != null)
    throw badInput(
      'The image modality cannot be both featurised by a CNN and imported: give imageFeaturiser or an IMAGE entry of importedFeatures, not both.',
      ['input', 'imageFeaturiser'],
    );
  const image = importedImage?.id ?? (await chooseImageFeaturiser(deps, input.imageFeaturiser));
  const text = imported.find((f) => f.modality === 'text')?.id ?? 'lsa-tfidf';
  return deps.repos.datasets.create({
    name,
    description: input.description ?? '',
    modalities,
    dimension,
    allowLabelCreation: input.allowLabelCreation ?? false,
    // Fixed for the dataset's life: every vector of a dataset comes from one featuriser.
    featurisers: {
      image,
      text,
      ...(imported.length > 0
        ? {
            imported: Object.fromEntries(
              imported.map((f) => [f.modality, { dimension: f.dimension }]),
            ),
          }
        : {}),
    },
  });
}

/** An offered featuriser that loads; a user model is loaded here so a broken one is refused now. */
async function chooseImageFeaturiser(deps: AppDeps, given?: string | null): Promise<string> {
  if (given == null) return deps.featurisers.defaultImageId;
  const field = ['input', 'imageFeaturiser'];
  const info = given.length <= 200 ? await deps.featurisers.info(given) : null;
  if (!info)
    throw badInput(
      `Unknown image featuriser ${JSON.stringify(given.slice(0, 200))}: choose one of imageFeaturisers.`,
      field,
    );
  if (info.dims === null)
    throw badInput(`The image featuriser ${given} cannot be used: ${info.description}.`, field);
  return info.id;
}

/** The featuriser a dataset was created with, described (also when it is no longer offered). */
export async function describeImageFeaturiser(
  deps: AppDeps,
  dataset: Pick<Dataset, 'featurisers'>,
): Promise<ImageFeaturiserInfo> {
  const id = deps.featurisers.imageIdOf(dataset);
  return (
    (await deps.featurisers.info(id)) ?? {
      id,
      kind: id.startsWith('nsfwjs/') ? 'BUILTIN' : 'USER',
      dims: null,
      inputSize: null,
      description: 'No longer offered here: its folder is gone from the models folder.',
    }
  );
}

export interface ModalityFeaturiserInfo {
  modality: 'IMAGE' | 'TEXT';
  id: string;
  kind: 'BUILTIN' | 'USER' | 'IMPORTED' | 'LSA';
  dimension: number | null;
}

/** Where each modality's features come from: a CNN, imported vectors or the per-run LSA. */
export function describeModalityFeaturisers(
  deps: AppDeps,
  dataset: Pick<Dataset, 'featurisers' | 'modalities'>,
): ModalityFeaturiserInfo[] {
  const imported = importedFeaturesOf(dataset);
  return dataset.modalities
    .filter((m): m is 'image' | 'text' => m === 'image' || m === 'text')
    .map((modality) => {
      const upper = modality === 'image' ? 'IMAGE' : 'TEXT';
      const own = imported.get(modality);
      if (own) return { modality: upper, id: own.id, kind: 'IMPORTED', dimension: own.dimension };
      if (modality === 'text')
        return { modality: upper, id: 'lsa-tfidf', kind: 'LSA', dimension: null };
      const id = deps.featurisers.imageIdOf(dataset);
      const builtin = id.startsWith(BUILTIN_PREFIX) ? id.slice(BUILTIN_PREFIX.length) : null;
      return builtin && isBuiltinCnn(builtin)
        ? { modality: upper, id, kind: 'BUILTIN', dimension: BUILTIN_CNNS[builtin].dims }
        : { modality: upper, id, kind: 'USER', dimension: null };
    });
}
