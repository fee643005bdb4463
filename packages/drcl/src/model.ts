// A trained DRCL model: the exact config, the prior W with W⁺, and one network per modality.
// Serialises to bytes + JSON; embeds feature vectors of any of its modalities in batches.
import * as tf from '@tensorflow/tfjs-core';
import type { DrclConfig } from './config.ts';
import {
  decodeBundle,
  encodeBundle,
  joinArrays,
  splitArrays,
  type SplitBundle,
} from './io/bundle.ts';
import { ModalityNetwork, type NetworkWeights } from './models/network.ts';
import type { PriorResult, RscResult, SplCandidateResult } from './train/results.ts';

export interface DrclModel {
  format: 'concord-drcl-model';
  version: 1;
  config: DrclConfig;
  numClasses: number;
  prior: PriorResult;
  /** Network per modality name. */
  networks: Record<string, NetworkWeights>;
  /** SPL scores of every candidate (no weights) and RSC selection per modality. */
  report: {
    spl: Omit<SplCandidateResult, 'lastW' | 'bestW'>[];
    rsc: Omit<RscResult, 'network'>[];
  };
}

/** JSON (config, report, array index) + one binary blob (W, W⁺, every network). */
export function saveModel(model: DrclModel): SplitBundle {
  return splitArrays(model);
}

export function loadModel(bundle: SplitBundle): DrclModel {
  return checkModel(joinArrays(bundle.json, bundle.bytes));
}

/** The same as one self-describing byte array (for a file). */
export function encodeModel(model: DrclModel): Uint8Array {
  return encodeBundle(model);
}

export function decodeModel(bytes: Uint8Array): DrclModel {
  return checkModel(decodeBundle(bytes));
}

function checkModel(value: unknown): DrclModel {
  const m = value as DrclModel;
  if (m.format !== 'concord-drcl-model' || m.version !== 1) {
    throw new Error('not a DRCL model of a supported version');
  }
  return m;
}

/** Adds (or replaces) one modality's network, e.g. trained later with `trainModality`. */
export function withModality(model: DrclModel, name: string, rsc: RscResult): DrclModel {
  const { network, ...summary } = rsc;
  return {
    ...model,
    networks: { ...model.networks, [name]: network },
    report: {
      ...model.report,
      rsc: [...model.report.rsc.filter((r) => r.modality !== name), summary],
    },
  };
}

/**
 * Embeds `count×dim` features with a network, `batchSize` rows per forward pass; returns
 * count×D L2-normalised embeddings.
 */
export function embedFeatures(
  weights: NetworkWeights,
  features: Float32Array,
  batchSize = 1024,
): Float32Array {
  const dim = weights.inputDim;
  const count = features.length / dim;
  if (!Number.isInteger(count)) throw new Error(`features are not a multiple of ${dim} columns`);
  const net = new ModalityNetwork(weights, false);
  try {
    const outDim = net.embeddingDim;
    const out = new Float32Array(count * outDim);
    for (let start = 0; start < count; start += batchSize) {
      const n = Math.min(batchSize, count - start);
      const data = tf.tidy(() =>
        net
          .apply(tf.tensor2d(features.subarray(start * dim, (start + n) * dim), [n, dim]))
          .dataSync(),
      );
      out.set(data, start * outDim);
    }
    return out;
  } finally {
    net.dispose();
  }
}

export function embedModality(
  model: DrclModel,
  modality: string,
  features: Float32Array,
  batchSize = model.config.evalBatchSize,
): Float32Array {
  const weights = model.networks[modality];
  if (!weights) throw new Error(`the model has no network for modality "${modality}"`);
  return embedFeatures(weights, features, batchSize);
}
