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
  priorSelection?: string | null;
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
  for (const name of ['splLearningRate', 'rscLearningRate'] as const) {
    const v = input[name];
    if (v != null && !(v > 0 && v < 1)) throw badInput(`${name} must be in (0, 1).`, field(name));
  }
  if (
    input.priorSelection != null &&
    !['last-epoch', 'best-epoch'].includes(input.priorSelection)
  ) {
    throw badInput('priorSelection must be last-epoch or best-epoch.', field('priorSelection'));
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) if (value != null) out[key] = value;
  return out;
}

/** The full config of a run on a dataset: defaults, dataset dimension, then the caller's values. */
export function resolveRunConfig(
  input: Record<string, unknown>,
  datasetDimension: number,
): RunConfig {
  const { textDimensions, ...rest } = input as TrainingConfigInput & Record<string, unknown>;
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
