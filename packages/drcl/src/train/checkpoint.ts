// Checkpoints at epoch boundaries: everything finished so far plus the in-progress unit (its
// network, optimiser state, RNG state and best-so-far), so a crashed run resumes where it stopped
// and reproduces the uninterrupted run.
import type { DrclConfig } from '../config.ts';
import { decodeBundle, encodeBundle } from '../io/bundle.ts';
import type { NetworkWeights } from '../models/network.ts';
import type { AdamState } from './adam.ts';
import type { PriorResult, RscResult, SplCandidateResult } from './results.ts';

export interface UnitState {
  kind: 'spl' | 'rsc';
  /** Candidate id (SPL) or modality name (RSC). */
  id: string;
  /** First epoch still to run. */
  nextEpoch: number;
  rngState: number;
  network: NetworkWeights;
  adam: AdamState;
  /** SPL: the trainable prior copy W_k (D×C). */
  w: Float32Array | null;
  /** SPL: best quality score so far, its epoch and (best-epoch selection) its W_k. */
  bestValue: number;
  bestEpoch: number;
  bestW: Float32Array | null;
  /** RSC: the network of the best epoch so far. */
  bestNetwork: NetworkWeights | null;
  history: number[];
  /** SPL: the best epoch's score over all modality items and per site. */
  bestScoreAll?: number;
  bestScoreBySite?: Record<string, number>;
  /** RSC: validation loss of every epoch so far. */
  validationHistory?: number[];
}

const CHECKPOINT_FORMAT = 'concord-drcl-checkpoint';
const CHECKPOINT_VERSION = 1;

export interface Checkpoint {
  format: typeof CHECKPOINT_FORMAT;
  version: typeof CHECKPOINT_VERSION;
  config: DrclConfig;
  numClasses: number;
  modalities: string[];
  spl: SplCandidateResult[];
  prior: PriorResult | null;
  rsc: RscResult[];
  current: UnitState | null;
}

/** A checkpoint with nothing trained yet: the one place its header is written. */
export function emptyCheckpoint(
  config: DrclConfig,
  numClasses: number,
  modalities: string[],
  prior: PriorResult | null = null,
): Checkpoint {
  return {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    config,
    numClasses,
    modalities,
    spl: [],
    prior,
    rsc: [],
    current: null,
  };
}

export function encodeCheckpoint(checkpoint: Checkpoint): Uint8Array {
  return encodeBundle(checkpoint);
}

export function decodeCheckpoint(bytes: Uint8Array): Checkpoint {
  const value = decodeBundle(bytes) as Checkpoint;
  if (value.format !== CHECKPOINT_FORMAT || value.version !== CHECKPOINT_VERSION) {
    throw new Error('not a DRCL checkpoint of a supported version');
  }
  return value;
}
