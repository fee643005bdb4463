import type { Dataset } from '@concord/db';
import { authorizeUnscoped, type Principal } from '../../auth/principal.ts';
import type { AppDeps } from '../../context.ts';
import { badInput } from '../../errors.ts';

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
  return deps.repos.datasets.create({
    name,
    description: input.description ?? '',
    modalities,
    dimension,
    featurisers: { image: deps.featurisers.imageFeaturiserId, text: 'lsa-tfidf' },
  });
}
