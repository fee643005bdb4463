// Stage 2, RSC: with the prior W frozen, train one modality's fresh network so that its mixed
// features f̃ (FA) match the recast targets R = ỹW⁺ (MRR) under J = J_L + 0.1·J_D + 0.1·J_MSE.
// Keeps the weights of the epoch with the lowest validation loss (computed without FA).
import * as tf from '@tensorflow/tfjs-core';
import { gceQ, rscLearningRateOf } from '../config.ts';
import { epochBatches, gatherRows, type LabelledSplit, type ModalityData } from '../data.ts';
import { rscLossTerms, type RscLossTerms } from '../losses/rsc-loss.ts';
import { initNetworkWeights, ModalityNetwork, type NetworkWeights } from '../models/network.ts';
import { Rng } from '../random.ts';
import { Adam } from './adam.ts';
import type { UnitState } from './checkpoint.ts';
import { maybeCheckpoint, type UnitContext } from './context.ts';
import { type RscLossValues, throwIfAborted, yieldToEventLoop } from './events.ts';
import { mixFeatures, mixLabels } from './feature-augmentation.ts';
import type { PriorResult, RscResult } from './results.ts';

const TERM_ORDER = ['total', 'label', 'discrimination', 'intraModal', 'interModal', 'mse'] as const;

function stackTerms(t: RscLossTerms): tf.Tensor1D {
  return tf.stack([
    t.total,
    t.label,
    t.discrimination,
    t.intraModal,
    t.interModal,
    t.mse,
  ]) as tf.Tensor1D;
}

function toValues(sums: Float64Array, weight: number): RscLossValues {
  const v = Object.fromEntries(TERM_ORDER.map((k, i) => [k, sums[i]! / weight]));
  return v as unknown as RscLossValues;
}

export async function trainRscModality(
  ctx: UnitContext,
  modality: ModalityData,
  prior: PriorResult,
  resume: UnitState | null,
): Promise<RscResult> {
  const { config, numClasses } = ctx;
  const { train } = modality;
  const dim = train.dim;
  const learningRate = rscLearningRateOf(config, modality.name);
  const rng = Rng.derive(config.seed, `rsc/${modality.name}`);
  const init =
    resume?.network ?? initNetworkWeights(dim, config.hiddenSizes, config.embeddingDim, rng);
  const net = new ModalityNetwork(init);
  const params = net.variables();
  const adam = new Adam(params, {
    learningRate,
    beta1: config.beta1,
    beta2: config.beta2,
    epsilon: config.epsilon,
  });
  const priorT = tf.tensor2d(prior.w, [config.embeddingDim, numClasses]);
  const pinvT = tf.tensor2d(Float32Array.from(prior.pinv), [numClasses, config.embeddingDim]);
  let bestLoss = resume?.bestValue ?? Infinity;
  let bestEpoch = resume?.bestEpoch ?? -1;
  let best: tf.Tensor[] | null = resume?.bestNetwork ? weightsToTensors(resume.bestNetwork) : null;
  const trainLoss: number[] = resume ? [...resume.history] : [];
  const validationLoss: number[] = resume?.validationHistory ? [...resume.validationHistory] : [];
  if (resume) {
    rng.setState(resume.rngState);
    adam.setState(resume.adam);
  }
  const lossWeights = {
    discriminationWeight: config.discriminationWeight,
    mseWeight: config.mseWeight,
    cosEps: config.cosEps,
  };
  const count = train.labels.length / numClasses;
  try {
    for (let epoch = resume?.nextEpoch ?? 0; epoch < config.rscEpochs; epoch++) {
      const started = performance.now();
      const q = gceQ(config, epoch + 1);
      const plan = epochBatches(rng.permutation(count), config.batchSize, config.dropLast);
      if (plan.length === 0) {
        throw new Error(
          `${modality.name}: ${count} items give no full batch of ${config.batchSize}`,
        );
      }
      const sums = new Float64Array(TERM_ORDER.length);
      for (const rows of plan) {
        throwIfAborted(ctx.signal);
        const n = rows.length;
        const perm = rng.permutation(n);
        const labels = gatherRows(train.labels, numClasses, rows);
        const mixed = mixLabels(labels, numClasses, perm, config.faLambda);
        const x = tf.tensor2d(gatherRows(train.features, dim, rows), [n, dim]);
        const yMix = tf.tensor2d(mixed, [n, numClasses]);
        const recast: tf.Tensor2D = tf.matMul(yMix, pinvT);
        let terms: tf.Tensor1D | null = null;
        const { value, grads } = tf.variableGrads(() => {
          const f = net.apply(x, { fused: ctx.fused });
          const fMix = mixFeatures(f, perm, config.faLambda);
          const t = rscLossTerms(
            {
              mixedFeatures: fMix,
              mixedLabels: yMix,
              recastTargets: recast,
              prior: priorT,
              q,
              pinv: pinvT,
            },
            lossWeights,
          );
          terms = tf.keep(stackTerms(t));
          return t.total;
        }, params);
        adam.apply(params.map((p) => grads[p.name]!));
        const values = await (terms as tf.Tensor1D | null)!.data();
        values.forEach((v, i) => (sums[i]! += v));
        tf.dispose([x, yMix, recast, value, terms!, ...Object.values(grads)]);
        await yieldToEventLoop();
      }
      const loss = toValues(sums, plan.length);
      trainLoss.push(loss.total);
      const validation = modality.validation
        ? evaluateRscLoss(net, modality.validation, priorT, pinvT, q, ctx)
        : null;
      if (validation) validationLoss.push(validation.total);
      const selectionValue = validation ? validation.total : loss.total;
      const improved = validation ? selectionValue < bestLoss : true; // no validation → last epoch
      if (improved) {
        bestLoss = selectionValue;
        bestEpoch = epoch;
        if (best) tf.dispose(best);
        best = params.map((p) => tf.keep(p.clone()));
        await ctx.callbacks.onBestEpoch?.({
          stage: 'rsc',
          unit: modality.name,
          epoch,
          value: selectionValue,
        });
      }
      await ctx.callbacks.onEpochEnd?.({
        stage: 'rsc',
        modality: modality.name,
        epoch,
        epochs: config.rscEpochs,
        q,
        learningRate,
        loss,
        validationLoss: validation,
        bestEpoch,
        seconds: (performance.now() - started) / 1000,
        batches: plan.length,
      });
      const bestSnapshot = best;
      await maybeCheckpoint(ctx, epoch, config.rscEpochs, async () => ({
        kind: 'rsc',
        id: modality.name,
        nextEpoch: epoch + 1,
        rngState: rng.getState(),
        network: await net.read(),
        adam: await adam.getState(),
        w: null,
        bestValue: bestLoss,
        bestEpoch,
        bestW: null,
        bestNetwork: bestSnapshot ? await tensorsToWeights(bestSnapshot, dim) : null,
        history: [...trainLoss],
        validationHistory: [...validationLoss],
      }));
      throwIfAborted(ctx.signal);
    }
    const network: NetworkWeights = best ? await tensorsToWeights(best, dim) : await net.read();
    return {
      modality: modality.name,
      learningRate,
      bestEpoch,
      bestValidationLoss: modality.validation && bestEpoch >= 0 ? bestLoss : null,
      network,
      trainLoss,
      validationLoss,
    };
  } finally {
    if (best) tf.dispose(best);
    tf.dispose([priorT, pinvT]);
    adam.dispose();
    net.dispose();
  }
}

/** The RSC loss on a split without FA (f̃ = f, ỹ = y), averaged over evaluation batches. */
export function evaluateRscLoss(
  net: ModalityNetwork,
  split: LabelledSplit,
  priorT: tf.Tensor2D,
  pinvT: tf.Tensor2D,
  q: number,
  ctx: Pick<UnitContext, 'config' | 'numClasses' | 'fused'>,
): RscLossValues {
  const { config, numClasses } = ctx;
  const count = split.labels.length / numClasses;
  const sums = new Float64Array(TERM_ORDER.length);
  for (let start = 0; start < count; start += config.evalBatchSize) {
    const n = Math.min(config.evalBatchSize, count - start);
    const values = tf.tidy(() => {
      const x = tf.tensor2d(split.features.subarray(start * split.dim, (start + n) * split.dim), [
        n,
        split.dim,
      ]);
      const y = tf.tensor2d(split.labels.subarray(start * numClasses, (start + n) * numClasses), [
        n,
        numClasses,
      ]);
      const f = net.apply(x, { fused: ctx.fused });
      const t = rscLossTerms(
        {
          mixedFeatures: f,
          mixedLabels: y,
          recastTargets: tf.matMul(y, pinvT),
          prior: priorT,
          q,
          pinv: pinvT,
        },
        {
          discriminationWeight: config.discriminationWeight,
          mseWeight: config.mseWeight,
          cosEps: config.cosEps,
        },
      );
      return stackTerms(t).dataSync();
    });
    values.forEach((v, i) => (sums[i]! += v * n));
  }
  return toValues(sums, count);
}

function weightsToTensors(weights: NetworkWeights): tf.Tensor[] {
  const out: tf.Tensor[] = [];
  for (const l of weights.layers) {
    out.push(tf.tensor2d(l.weight, [l.inSize, l.outSize]));
    if (l.bias) out.push(tf.tensor1d(l.bias));
  }
  return out;
}

/** Inverse of `weightsToTensors` / `ModalityNetwork.variables()` ordering. */
async function tensorsToWeights(tensors: tf.Tensor[], inputDim: number): Promise<NetworkWeights> {
  const layers: NetworkWeights['layers'] = [];
  for (let i = 0; i < tensors.length;) {
    const w = tensors[i]!;
    const next = tensors[i + 1];
    const hasBias = next !== undefined && next.rank === 1;
    layers.push({
      inSize: w.shape[0],
      outSize: w.shape[1]!,
      weight: (await w.data()) as Float32Array,
      bias: hasBias ? ((await next.data()) as Float32Array) : null,
    });
    i += hasBias ? 2 : 1;
  }
  return { inputDim, layers };
}
