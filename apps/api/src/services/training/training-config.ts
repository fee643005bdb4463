/**
 * The training config a caller may set, validated by the training core's own `getConfig` plus
 * the API's bounds (so one request cannot ask for a network the machine cannot hold).
 */
import { getConfig, type DrclArgs } from '@concord/drcl';
import { badInput } from '../../errors.ts';

export interface TrainingConfigInput {
  splEpochs?: number | null;
  rscEpochs?: number | null;
  hiddenSizes?: number[] | null;
  embeddingDim?: number | null;
  batchSize?: number | null;
  splLearningRate?: number | null;
  rscLearningRate?: number | null;
  rscLearningRates?: readonly { modality: string; learningRate: number }[] | null;
  priorSelection?: string | null;
  priorCandidates?: 'MODALITY' | 'SITE_MODALITY' | null;
  minSiteItems?: number | null;
  seed?: number | null;
  textDimensions?: number | null;
}

/** What a run stores: DRCL args plus the text featuriser's size. */
export interface RunConfig {
  drcl: DrclArgs;
  textDimensions: number;
}

/** API defaults: smaller than the paper's (4096-4096, D=2048, 100 epochs) so runs finish on CPUs. */
export const DEFAULT_RUN_ARGS: DrclArgs = {
  hiddenSizes: [1024],
  splEpochs: 30,
  rscEpochs: 30,
  batchSize: 128,
  dropLast: false,
  rscLearningRates: {},
  rscLearningRate: 1e-3,
  priorSelection: 'best-epoch',
};
export const DEFAULT_TEXT_DIMENSIONS = 300;
const MAX_EPOCHS = 1000;
const MAX_HIDDEN = 8192;
const MAX_MIN_SITE_ITEMS = 1_000_000;
const PRIOR_CANDIDATES = { MODALITY: 'modality', SITE_MODALITY: 'site-modality' } as const;

/**
 * Checks the caller's config and returns it as stored with the run: only the fields given, in
 * the training core's vocabulary (`rscLearningRates` as a record, `priorCandidates` as
 * 'modality' | 'site-modality'), so `resolveRunConfig` can read it back at any time.
 */
export function validateTrainingConfig(input: TrainingConfigInput): Record<string, unknown> {
  const field = (name: string) => ['config', name];
  const intIn = (name: keyof TrainingConfigInput, value: unknown, min: number, max: number) => {
    if (value == null) return;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw badInput(`${name} must be an integer in ${min}..${max}.`, field(name));
    }
  };
  intIn('splEpochs', input.splEpochs, 1, MAX_EPOCHS);
  intIn('rscEpochs', input.rscEpochs, 1, MAX_EPOCHS);
  intIn('embeddingDim', input.embeddingDim, 2, 4000);
  intIn('batchSize', input.batchSize, 2, 8192);
  intIn('textDimensions', input.textDimensions, 2, 1000);
  if (input.hiddenSizes != null) {
    if (input.hiddenSizes.length > 4)
      throw badInput('At most 4 hidden layers.', field('hiddenSizes'));
    input.hiddenSizes.forEach((h) => intIn('hiddenSizes', h, 1, MAX_HIDDEN));
  }
  intIn('minSiteItems', input.minSiteItems, 1, MAX_MIN_SITE_ITEMS);
  const rate = (name: string, v: number | null | undefined) => {
    if (v != null && !(v > 0 && v < 1)) throw badInput(`${name} must be in (0, 1).`, field(name));
  };
  rate('splLearningRate', input.splLearningRate);
  rate('rscLearningRate', input.rscLearningRate);
  let rscLearningRates: Record<string, number> | undefined;
  if (input.rscLearningRates != null) {
    rscLearningRates = {};
    for (const { modality, learningRate } of input.rscLearningRates) {
      if (Object.hasOwn(rscLearningRates, modality))
        throw badInput(`rscLearningRates names ${modality} twice.`, field('rscLearningRates'));
      if (!(learningRate > 0 && learningRate < 1))
        throw badInput(
          `The learning rate of ${modality} must be in (0, 1).`,
          field('rscLearningRates'),
        );
      rscLearningRates[modality] = learningRate;
    }
  }
  if (
    input.priorSelection != null &&
    !['last-epoch', 'best-epoch'].includes(input.priorSelection)
  ) {
    throw badInput('priorSelection must be last-epoch or best-epoch.', field('priorSelection'));
  }
  if (input.minSiteItems != null && input.priorCandidates !== 'SITE_MODALITY') {
    throw badInput(
      'minSiteItems applies only with priorCandidates SITE_MODALITY.',
      field('minSiteItems'),
    );
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) if (value != null) out[key] = value;
  if (rscLearningRates) out.rscLearningRates = rscLearningRates;
  if (input.priorCandidates != null) {
    const kind = PRIOR_CANDIDATES[input.priorCandidates];
    if (!kind)
      throw badInput(
        'priorCandidates must be MODALITY or SITE_MODALITY.',
        field('priorCandidates'),
      );
    out.priorCandidates = kind;
  }
  return out;
}

/**
 * The full config of a run on a dataset: defaults, dataset dimension, then the caller's values
 * (as `validateTrainingConfig` stored them). With `modalities`, per-modality learning rates must
 * name modalities of the dataset.
 */
export function resolveRunConfig(
  input: Record<string, unknown>,
  datasetDimension: number,
  modalities?: readonly string[],
): RunConfig {
  const { textDimensions, ...rest } = input as { textDimensions?: number } & Record<
    string,
    unknown
  >;
  const rates = rest.rscLearningRates as Record<string, number> | undefined;
  const unknown = modalities && Object.keys(rates ?? {}).filter((m) => !modalities.includes(m));
  if (unknown?.length) {
    throw badInput(
      `rscLearningRates names ${unknown.join(', ')}, not a modality of the dataset (${modalities!.join(', ')}).`,
      ['config', 'rscLearningRates'],
    );
  }
  const drcl: DrclArgs = {
    ...DEFAULT_RUN_ARGS,
    embeddingDim: datasetDimension,
    ...(rest as DrclArgs),
  };
  try {
    getConfig(drcl);
  } catch (error) {
    throw badInput(`Invalid training config: ${(error as Error).message}`, ['config']);
  }
  return { drcl, textDimensions: textDimensions ?? DEFAULT_TEXT_DIMENSIONS };
}
