// What a training unit (one SPL candidate or one RSC modality) needs from the orchestrator.
import * as tf from '@tensorflow/tfjs-core';
import type { DrclConfig } from '../config.ts';
import { gatherRows } from '../data.ts';
import type { ModalityNetwork } from '../models/network.ts';
import type { Checkpoint, UnitState } from './checkpoint.ts';
import type { TrainingCallbacks } from './events.ts';

export interface UnitContext {
  config: DrclConfig;
  numClasses: number;
  signal: AbortSignal | undefined;
  callbacks: TrainingCallbacks;
  fused: boolean;
  checkpointEvery: number;
  /** Builds a full checkpoint around the in-progress unit's state. */
  snapshot: (current: UnitState) => Checkpoint;
}

/** Emits a checkpoint after `epoch` when one is due. */
export async function maybeCheckpoint(
  ctx: UnitContext,
  epoch: number,
  epochs: number,
  state: () => Promise<UnitState>,
): Promise<void> {
  const onCheckpoint = ctx.callbacks.onCheckpoint;
  if (!onCheckpoint) return;
  if ((epoch + 1) % ctx.checkpointEvery !== 0 && epoch + 1 !== epochs) return;
  await onCheckpoint(ctx.snapshot(await state()));
}

/**
 * Runs the network over the given rows (all rows when `rows` is null) in batches of `batchSize`
 * and hands each batch's embeddings to `visit` (inside a tidy: return what must survive as data).
 */
export function forEachEmbeddingBatch(
  net: ModalityNetwork,
  features: Float32Array,
  dim: number,
  rows: Int32Array | null,
  batchSize: number,
  fused: boolean,
  visit: (embeddings: tf.Tensor2D, start: number, count: number) => void,
): void {
  const total = rows ? rows.length : features.length / dim;
  for (let start = 0; start < total; start += batchSize) {
    const count = Math.min(batchSize, total - start);
    const x = rows
      ? gatherRows(features, dim, rows.subarray(start, start + count))
      : features.subarray(start * dim, (start + count) * dim);
    tf.tidy(() => visit(net.apply(tf.tensor2d(x, [count, dim]), { fused }), start, count));
  }
}
