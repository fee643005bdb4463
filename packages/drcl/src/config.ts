// Typed configuration of a DRCL run. Every default is the authors' reference value (see
// shared/docs/drcl-method.md); `getConfig()` returns the exact, JSON-serialisable config that is
// stored with every trained model and checkpoint.

/** Hidden layer sizes of every modality network (reference: 4096-4096). */
export const DEFAULT_HIDDEN_SIZES: readonly number[] = [4096, 4096];
/** Size D of the common representation space. */
export const DEFAULT_EMBEDDING_DIM = 2048;
/** Adam settings shared by SPL and RSC. */
export const DEFAULT_ADAM_BETA1 = 0.5;
export const DEFAULT_ADAM_BETA2 = 0.999;
export const DEFAULT_ADAM_EPSILON = 1e-8;
/** Mini-batch size; the last partial batch of an epoch is dropped. */
export const DEFAULT_BATCH_SIZE = 1024;
export const DEFAULT_DROP_LAST = true;
/** SPL (stage 1) learning rate and epochs. */
export const DEFAULT_SPL_LEARNING_RATE = 5e-4;
export const DEFAULT_SPL_EPOCHS = 100;
/** RSC (stage 2) epochs; 200 on Wikipedia in the reference, 100 on the larger sets. */
export const DEFAULT_RSC_EPOCHS = 100;
/** RSC learning rate of a modality that `rscLearningRates` does not name. */
export const DEFAULT_RSC_LEARNING_RATE = 5e-4;
/** The reference's per-modality RSC learning rates on deep Wikipedia features. */
export const REFERENCE_RSC_LEARNING_RATES: Readonly<Record<string, number>> = {
  image: 6e-6,
  text: 5e-3,
};
/** Feature augmentation mixing weight λ. */
export const DEFAULT_FA_LAMBDA = 0.9;
/** Weights of J_D and J_MSE in J = J_L + wD·J_D + wMSE·J_MSE. */
export const DEFAULT_DISCRIMINATION_WEIGHT = 0.1;
export const DEFAULT_MSE_WEIGHT = 0.1;
/** GCE exponent schedule q = min(qMax, qRate · epoch). */
export const DEFAULT_GCE_Q_RATE = 0.01;
export const DEFAULT_GCE_Q_MAX = 1;
/** Clamp of the norm product inside cos2. */
export const DEFAULT_COS_EPS = 1e-6;
/** 'last-epoch' is the reference's behaviour; 'best-epoch' is the intended one. */
export const DEFAULT_PRIOR_SELECTION: PriorSelection = 'last-epoch';
export const DEFAULT_PRIOR_CANDIDATES: PriorCandidates = 'modality';
/** A site×modality pair becomes a prior candidate only with at least this many training items. */
export const DEFAULT_MIN_SITE_ITEMS = 1024;
export const DEFAULT_SEED = 42;
/** Rows per forward pass when scoring, validating or embedding (bounded memory). */
export const DEFAULT_EVAL_BATCH_SIZE = 1024;
/** Largest tolerated max|W⁺W − I| before training refuses the prior. */
export const DEFAULT_PINV_TOLERANCE = 1e-6;

export type PriorSelection = 'last-epoch' | 'best-epoch';
export type PriorCandidates = 'modality' | 'site-modality';

export interface NetworkArgs {
  hiddenSizes?: readonly number[];
  embeddingDim?: number;
}

export interface AdamArgs {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

export interface DrclArgs extends NetworkArgs, AdamArgs {
  batchSize?: number;
  dropLast?: boolean;
  splLearningRate?: number;
  splEpochs?: number;
  rscEpochs?: number;
  /** Per-modality RSC learning rate; modalities not named use `rscLearningRate`. */
  rscLearningRates?: Readonly<Record<string, number>>;
  rscLearningRate?: number;
  faLambda?: number;
  discriminationWeight?: number;
  mseWeight?: number;
  gceQRate?: number;
  gceQMax?: number;
  cosEps?: number;
  priorSelection?: PriorSelection;
  priorCandidates?: PriorCandidates;
  minSiteItems?: number;
  seed?: number;
  evalBatchSize?: number;
  pinvTolerance?: number;
}

export interface DrclConfig {
  hiddenSizes: number[];
  embeddingDim: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  batchSize: number;
  dropLast: boolean;
  splLearningRate: number;
  splEpochs: number;
  rscEpochs: number;
  rscLearningRates: Record<string, number>;
  rscLearningRate: number;
  faLambda: number;
  discriminationWeight: number;
  mseWeight: number;
  gceQRate: number;
  gceQMax: number;
  cosEps: number;
  priorSelection: PriorSelection;
  priorCandidates: PriorCandidates;
  minSiteItems: number;
  seed: number;
  evalBatchSize: number;
  pinvTolerance: number;
}

/** Resolves every default and validates the values; the result is plain JSON. */
export function getConfig(args: DrclArgs = {}): DrclConfig {
  const config: DrclConfig = {
    hiddenSizes: [...(args.hiddenSizes ?? DEFAULT_HIDDEN_SIZES)],
    embeddingDim: args.embeddingDim ?? DEFAULT_EMBEDDING_DIM,
    beta1: args.beta1 ?? DEFAULT_ADAM_BETA1,
    beta2: args.beta2 ?? DEFAULT_ADAM_BETA2,
    epsilon: args.epsilon ?? DEFAULT_ADAM_EPSILON,
    batchSize: args.batchSize ?? DEFAULT_BATCH_SIZE,
    dropLast: args.dropLast ?? DEFAULT_DROP_LAST,
    splLearningRate: args.splLearningRate ?? DEFAULT_SPL_LEARNING_RATE,
    splEpochs: args.splEpochs ?? DEFAULT_SPL_EPOCHS,
    rscEpochs: args.rscEpochs ?? DEFAULT_RSC_EPOCHS,
    rscLearningRates: { ...(args.rscLearningRates ?? REFERENCE_RSC_LEARNING_RATES) },
    rscLearningRate: args.rscLearningRate ?? DEFAULT_RSC_LEARNING_RATE,
    faLambda: args.faLambda ?? DEFAULT_FA_LAMBDA,
    discriminationWeight: args.discriminationWeight ?? DEFAULT_DISCRIMINATION_WEIGHT,
    mseWeight: args.mseWeight ?? DEFAULT_MSE_WEIGHT,
    gceQRate: args.gceQRate ?? DEFAULT_GCE_Q_RATE,
    gceQMax: args.gceQMax ?? DEFAULT_GCE_Q_MAX,
    cosEps: args.cosEps ?? DEFAULT_COS_EPS,
    priorSelection: args.priorSelection ?? DEFAULT_PRIOR_SELECTION,
    priorCandidates: args.priorCandidates ?? DEFAULT_PRIOR_CANDIDATES,
    minSiteItems: args.minSiteItems ?? DEFAULT_MIN_SITE_ITEMS,
    seed: args.seed ?? DEFAULT_SEED,
    evalBatchSize: args.evalBatchSize ?? DEFAULT_EVAL_BATCH_SIZE,
    pinvTolerance: args.pinvTolerance ?? DEFAULT_PINV_TOLERANCE,
  };
  validateConfig(config);
  return config;
}

/** The RSC learning rate of one modality. */
export function rscLearningRateOf(config: DrclConfig, modality: string): number {
  return config.rscLearningRates[modality] ?? config.rscLearningRate;
}

/** GCE exponent at an epoch index: q = min(qMax, qRate·epoch). */
export function gceQ(config: Pick<DrclConfig, 'gceQRate' | 'gceQMax'>, epoch: number): number {
  return Math.min(config.gceQMax, config.gceQRate * epoch);
}

function validateConfig(c: DrclConfig): void {
  const positiveInts: [string, number][] = [
    ['embeddingDim', c.embeddingDim],
    ['batchSize', c.batchSize],
    ['evalBatchSize', c.evalBatchSize],
    ['minSiteItems', c.minSiteItems],
    ...c.hiddenSizes.map((h, i): [string, number] => [`hiddenSizes[${i}]`, h]),
  ];
  for (const [name, v] of positiveInts) {
    if (!Number.isInteger(v) || v <= 0) throw new RangeError(`${name} must be a positive integer`);
  }
  for (const [name, v] of [
    ['splEpochs', c.splEpochs],
    ['rscEpochs', c.rscEpochs],
  ] as const) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`${name} must be an integer ≥ 0`);
  }
  if (!(c.faLambda >= 0 && c.faLambda <= 1)) throw new RangeError('faLambda must be in [0, 1]');
  const rates = [c.splLearningRate, c.rscLearningRate, ...Object.values(c.rscLearningRates)];
  if (rates.some((r) => !(r > 0))) throw new RangeError('learning rates must be > 0');
  if (!Number.isInteger(c.seed)) throw new RangeError('seed must be an integer');
}
