// Command-line flags → DrclArgs. Every flag maps to one DrclArgs field.
import type { DrclArgs, PriorCandidates, PriorSelection } from '../config.ts';

export const TRAINING_FLAGS = {
  hidden: { type: 'string' },
  dim: { type: 'string' },
  batch: { type: 'string' },
  'spl-epochs': { type: 'string' },
  'rsc-epochs': { type: 'string' },
  'spl-lr': { type: 'string' },
  lr: { type: 'string' },
  lambda: { type: 'string' },
  seed: { type: 'string' },
  'prior-selection': { type: 'string' },
  'prior-candidates': { type: 'string' },
  'min-site-items': { type: 'string' },
} as const;

type Flags = Partial<Record<keyof typeof TRAINING_FLAGS, string>>;

const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));

/** `image=5e-4,text=5e-3` → { image: 5e-4, text: 5e-3 } */
export function parseRates(text: string): Record<string, number> {
  return Object.fromEntries(
    text.split(',').map((pair) => {
      const [name, value] = pair.split('=');
      if (!name || value === undefined || !(Number(value) > 0)) {
        throw new Error(`bad learning rate "${pair}" (want modality=rate)`);
      }
      return [name, Number(value)];
    }),
  );
}

export function drclArgsFromFlags(flags: Flags): DrclArgs {
  const args: DrclArgs = {};
  if (flags.hidden) args.hiddenSizes = flags.hidden.split(',').map(Number);
  if (flags.dim) args.embeddingDim = num(flags.dim)!;
  if (flags.batch) args.batchSize = num(flags.batch)!;
  if (flags['spl-epochs']) args.splEpochs = num(flags['spl-epochs'])!;
  if (flags['rsc-epochs']) args.rscEpochs = num(flags['rsc-epochs'])!;
  if (flags['spl-lr']) args.splLearningRate = num(flags['spl-lr'])!;
  if (flags.lr) args.rscLearningRates = parseRates(flags.lr);
  if (flags.lambda) args.faLambda = num(flags.lambda)!;
  if (flags.seed) args.seed = num(flags.seed)!;
  if (flags['prior-selection']) args.priorSelection = flags['prior-selection'] as PriorSelection;
  if (flags['prior-candidates']) {
    args.priorCandidates = flags['prior-candidates'] as PriorCandidates;
  }
  if (flags['min-site-items']) args.minSiteItems = num(flags['min-site-items'])!;
  return args;
}
