/** Messages between a training job (main thread) and its training thread. */
import type {
  DrclArgs,
  EpochEvent,
  ModalityData,
  PriorSelectedEvent,
  StageEvent,
} from '@concord/drcl';

/** A modality as one training unit needs it: its TRAIN and VALIDATION splits. */
export type UnitModality = ModalityData;

/** A modality as the run's finish needs it. */
export interface EmbedModality {
  name: string;
  /** Every item of the modality to embed (row order = `itemIds` on the main side). */
  all: { features: Float32Array; dim: number };
}

/**
 * What one thread does: one SPL prior candidate, one modality's RSC against the chosen prior, or
 * the run's finish (assemble the model from the unit results, embed every item).
 * Results, priors and checkpoints travel as `encodeBundle` bytes.
 */
export type ThreadTask =
  | { kind: 'spl'; modality: UnitModality; candidate: string; resume: Uint8Array | null }
  | { kind: 'rsc'; modality: UnitModality; prior: Uint8Array; resume: Uint8Array | null }
  | {
      kind: 'finish';
      modalities: EmbedModality[];
      prior: Uint8Array;
      spl: Uint8Array[];
      rsc: Uint8Array[];
    };

export interface StartMessage {
  type: 'start';
  numClasses: number;
  args: DrclArgs;
  task: ThreadTask;
}

export type ToThread = StartMessage | { type: 'ack'; id: number } | { type: 'abort' };

export interface TrainedOutput {
  /** encodeBundle(model.prior) */
  prior: Uint8Array;
  priorSource: Record<string, unknown>;
  config: Record<string, unknown>;
  /** encodeBundle(network weights) per modality. */
  networks: Record<string, Uint8Array>;
  /** count×D embeddings of every item per modality (same row order as `all`). */
  embeddings: Record<string, Float32Array>;
  dimension: number;
}

export type FromThread =
  | { type: 'epoch'; event: EpochEvent }
  | { type: 'prior'; event: PriorSelectedEvent }
  | { type: 'unit'; event: StageEvent }
  | { type: 'checkpoint'; id: number; bytes: Uint8Array; label: string }
  | { type: 'log'; message: string }
  /** A unit's result: encodeBundle(SplCandidateResult | RscResult). */
  | { type: 'result'; bytes: Uint8Array }
  | { type: 'done'; output: TrainedOutput }
  | { type: 'cancelled' }
  | { type: 'error'; message: string };
