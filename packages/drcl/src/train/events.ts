// Everything observable during training leaves through these callbacks; the worker persists it.
import type { Checkpoint } from './checkpoint.ts';

export interface SplEpochEvent {
  stage: 'spl';
  candidate: string;
  modality: string;
  /** Site of a site×modality candidate; null for a whole-modality candidate. */
  site: number | null;
  epoch: number;
  epochs: number;
  q: number;
  /** Mean GCE over the epoch's batches (null at q = 0: no update). */
  trainLoss: number | null;
  /** S over the candidate's own training items (what prior selection compares). */
  qualityScore: number;
  /** S over all training items of the modality. */
  qualityScoreAll: number;
  /** S over each site's items of the modality (empty without site ids). */
  qualityScoreBySite: Record<string, number>;
  bestScore: number;
  bestEpoch: number;
  seconds: number;
  batches: number;
}

export interface RscLossValues {
  total: number;
  label: number;
  discrimination: number;
  intraModal: number;
  interModal: number;
  mse: number;
}

export interface RscEpochEvent {
  stage: 'rsc';
  modality: string;
  epoch: number;
  epochs: number;
  q: number;
  learningRate: number;
  /** Batch means of every loss term, with FA. */
  loss: RscLossValues;
  /** The same loss on the validation split without FA (null without a validation split). */
  validationLoss: RscLossValues | null;
  bestEpoch: number;
  seconds: number;
  batches: number;
}

export type EpochEvent = SplEpochEvent | RscEpochEvent;

export interface PriorSelectedEvent {
  candidate: string;
  modality: string;
  site: number | null;
  score: number;
  epoch: number;
  selection: 'last-epoch' | 'best-epoch';
  /** Best quality score of every candidate. */
  scores: Record<string, number>;
  /** max |W⁺W − I| of the chosen prior. */
  pinvError: number;
}

export interface BestEpochEvent {
  stage: 'spl' | 'rsc';
  /** Candidate id (SPL) or modality (RSC). */
  unit: string;
  epoch: number;
  /** Quality score (SPL, higher is better) or validation loss (RSC, lower is better). */
  value: number;
}

export interface StageEvent {
  stage: 'spl' | 'rsc';
  unit: string;
  kind: 'start' | 'end';
  seconds: number;
}

export interface TrainingCallbacks {
  onEpochEnd?: (event: EpochEvent) => void | Promise<void>;
  onBestEpoch?: (event: BestEpochEvent) => void | Promise<void>;
  onPriorSelected?: (event: PriorSelectedEvent) => void | Promise<void>;
  onUnit?: (event: StageEvent) => void | Promise<void>;
  /** Called at epoch boundaries (every `checkpointEvery` epochs); persist `encodeCheckpoint(c)`. */
  onCheckpoint?: (checkpoint: Checkpoint) => void | Promise<void>;
}

export class TrainingCancelledError extends Error {
  readonly code = 'CANCELLED';
  constructor(reason?: unknown) {
    super(`training cancelled${reason instanceof Error ? `: ${reason.message}` : ''}`);
    this.name = 'TrainingCancelledError';
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new TrainingCancelledError(signal.reason);
}

/** Lets timers, I/O and abort handlers run between batches. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
