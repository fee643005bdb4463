/**
 * The start-run form: its fields as strings, validated with the same bounds the API applies
 * (apps/api training-config.ts), turned into `TrainingConfigInput`.
 */
import type { TrainingConfigInput } from '../generated/graphql.ts';

export interface RunForm {
  splEpochs: string;
  rscEpochs: string;
  batchSize: string;
  splLearningRate: string;
  rscLearningRate: string;
  embeddingDim: string;
  hiddenSizes: string;
  textDimensions: string;
  priorSelection: 'best-epoch' | 'last-epoch';
  /** RSC learning rate per modality; empty = `rscLearningRate`. */
  rscRates: Record<string, string>;
  priorCandidates: 'MODALITY' | 'SITE_MODALITY';
  /** With SITE_MODALITY: training items a site × modality pair needs to be a candidate. */
  minSiteItems: string;
  seed: string;
}

export const DEFAULT_FORM: RunForm = {
  splEpochs: '30',
  rscEpochs: '30',
  batchSize: '128',
  splLearningRate: '0.001',
  rscLearningRate: '0.001',
  embeddingDim: '',
  hiddenSizes: '1024',
  textDimensions: '300',
  priorSelection: 'best-epoch',
  rscRates: {},
  priorCandidates: 'MODALITY',
  minSiteItems: '',
  seed: '',
};

/** Errors per field; a modality's learning rate is `rscRate:<modality>`. */
export type FormErrors = Partial<Record<keyof RunForm | `rscRate:${string}`, string>>;

type Key = keyof FormErrors;

function int(value: string, min: number, max: number, errors: FormErrors, key: Key) {
  if (value.trim() === '') return null;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    errors[key] = `An integer from ${min} to ${max}.`;
    return null;
  }
  return n;
}

function rate(value: string, errors: FormErrors, key: Key) {
  if (value.trim() === '') return null;
  const n = Number(value);
  if (!(n > 0 && n < 1)) {
    errors[key] = 'A number between 0 and 1 (exclusive).';
    return null;
  }
  return n;
}

export function validateRunForm(form: RunForm): {
  config: TrainingConfigInput | null;
  errors: FormErrors;
} {
  const errors: FormErrors = {};
  const config: TrainingConfigInput = {
    splEpochs: int(form.splEpochs, 1, 1000, errors, 'splEpochs'),
    rscEpochs: int(form.rscEpochs, 1, 1000, errors, 'rscEpochs'),
    batchSize: int(form.batchSize, 2, 8192, errors, 'batchSize'),
    embeddingDim: int(form.embeddingDim, 2, 4000, errors, 'embeddingDim'),
    textDimensions: int(form.textDimensions, 2, 1000, errors, 'textDimensions'),
    seed: int(form.seed, 0, 2 ** 31 - 1, errors, 'seed'),
    splLearningRate: rate(form.splLearningRate, errors, 'splLearningRate'),
    rscLearningRate: rate(form.rscLearningRate, errors, 'rscLearningRate'),
    priorSelection: form.priorSelection,
    priorCandidates: form.priorCandidates,
  };
  const rates = Object.entries(form.rscRates)
    .filter(([, value]) => value.trim() !== '')
    .map(([modality, value]) => ({
      modality,
      learningRate: rate(value, errors, `rscRate:${modality}`),
    }));
  if (rates.length > 0 && rates.every((r) => r.learningRate !== null))
    config.rscLearningRates = rates.map((r) => ({
      modality: r.modality,
      learningRate: r.learningRate!,
    }));
  if (form.priorCandidates === 'SITE_MODALITY') {
    config.minSiteItems = int(form.minSiteItems, 1, 1_000_000, errors, 'minSiteItems');
  } else if (form.minSiteItems.trim() !== '') {
    errors.minSiteItems = 'Only with candidates per site × modality.';
  }
  if (form.hiddenSizes.trim() !== '') {
    const sizes = form.hiddenSizes
      .split(/[\s,]+/)
      .filter(Boolean)
      .map(Number);
    if (sizes.length > 4 || sizes.some((s) => !Number.isInteger(s) || s < 1 || s > 8192)) {
      errors.hiddenSizes = 'Up to 4 layer widths from 1 to 8192, comma-separated.';
    } else config.hiddenSizes = sizes;
  }
  const clean = Object.fromEntries(
    Object.entries(config).filter(([, v]) => v !== null && v !== undefined),
  ) as TrainingConfigInput;
  return { config: Object.keys(errors).length ? null : clean, errors };
}
