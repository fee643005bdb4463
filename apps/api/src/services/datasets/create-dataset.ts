import type { Dataset } from '@concord/db';
import { authorizeUnscoped, type Principal } from '../../auth/principal.ts';
import type { AppDeps } from '../../context.ts';
import { badInput } from '../../errors.ts';
import type { ImageFeaturiserInfo } from '../../featurisers.ts';

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
  const image = await chooseImageFeaturiser(deps, input.imageFeaturiser);
  return deps.repos.datasets.create({
    name,
    description: input.description ?? '',
    modalities,
    dimension,
    // Fixed for the dataset's life: every vector of a dataset comes from one featuriser.
    featurisers: { image, text: 'lsa-tfidf' },
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
