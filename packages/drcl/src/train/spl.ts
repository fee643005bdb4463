// Stage 1, SPL: one prior candidate = a fresh network F_k and a trainable copy W_k of W0 trained
// with GCE (q = min(1, 0.01·epoch); epoch 0 makes no update), scored after every epoch by
// S = mean Σ_c y_ic softmax(F_k(x_i)·W_k)_c over the candidate's items (and over all items and each
// site of its modality, for the report).
import * as tf from '@tensorflow/tfjs-core';
import { gceQ } from '../config.ts';
import { epochBatches, gatherRows, type ModalityData } from '../data.ts';
import { gceLoss, qualityScores } from '../losses/gce.ts';
import { initNetworkWeights, ModalityNetwork } from '../models/network.ts';
import { Rng } from '../random.ts';
import { Adam } from './adam.ts';
import type { UnitState } from './checkpoint.ts';
import { forEachEmbeddingBatch, maybeCheckpoint, type UnitContext } from './context.ts';
import { throwIfAborted, yieldToEventLoop } from './events.ts';
import type { SplCandidateResult } from './results.ts';

export interface PriorCandidate {
  id: string;
  modality: ModalityData;
  site: number | null;
  /** The candidate's training rows within its modality's training split. */
  rows: Int32Array;
}

export async function trainSplCandidate(
  ctx: UnitContext,
  candidate: PriorCandidate,
  w0: Float32Array,
  resume: UnitState | null,
): Promise<SplCandidateResult> {
  const { config, numClasses } = ctx;
  const { train } = candidate.modality;
  const dim = train.dim;
  const rng = Rng.derive(config.seed, `spl/${candidate.id}`);
  const init =
    resume?.network ?? initNetworkWeights(dim, config.hiddenSizes, config.embeddingDim, rng);
  const net = new ModalityNetwork(init);
  const w = tf.tidy(() =>
    tf.variable(tf.tensor2d(resume?.w ?? w0, [config.embeddingDim, numClasses])),
  );
  const params = [...net.variables(), w];
  const adam = new Adam(params, {
    learningRate: config.splLearningRate,
    beta1: config.beta1,
    beta2: config.beta2,
    epsilon: config.epsilon,
  });
  let bestScore = resume?.bestValue ?? -Infinity;
  let bestEpoch = resume?.bestEpoch ?? -1;
  let bestW = resume?.bestW ?? null;
  const scores = resume ? [...resume.history] : [];
  let bestAll = resume?.bestScoreAll ?? 0;
  let bestBySite: Record<string, number> = resume?.bestScoreBySite ?? {};
  if (resume) {
    rng.setState(resume.rngState);
    adam.setState(resume.adam);
  }
  const allItems = train.labels.length / numClasses;
  const labelsAll = train.labels;
  try {
    for (let epoch = resume?.nextEpoch ?? 0; epoch < config.splEpochs; epoch++) {
      const started = performance.now();
      const q = gceQ(config, epoch);
      let lossSum = 0;
      let batches = 0;
      if (q > 0) {
        const order = rng.permutation(candidate.rows.length);
        const rowsInOrder = order.map((i) => candidate.rows[i]!);
        const plan = epochBatches(rowsInOrder, config.batchSize, config.dropLast);
        if (plan.length === 0) {
          throw new Error(
            `candidate ${candidate.id}: ${candidate.rows.length} items give no full batch of ${config.batchSize}`,
          );
        }
        for (const rows of plan) {
          throwIfAborted(ctx.signal);
          const x = tf.tensor2d(gatherRows(train.features, dim, rows), [rows.length, dim]);
          const y = tf.tensor2d(gatherRows(labelsAll, numClasses, rows), [rows.length, numClasses]);
          const { value, grads } = tf.variableGrads(
            () => gceLoss(tf.matMul(net.apply(x, { fused: ctx.fused }), w), y, q),
            params,
          );
          adam.apply(params.map((p) => grads[p.name]!));
          lossSum += (await value.data())[0]!;
          batches += 1;
          tf.dispose([x, y, value, ...Object.values(grads)]);
          await yieldToEventLoop();
        }
      }
      // Quality score of every item of the modality, then aggregated three ways.
      const perItem = new Float32Array(allItems);
      forEachEmbeddingBatch(
        net,
        train.features,
        dim,
        null,
        config.evalBatchSize,
        ctx.fused,
        (emb, start, count) => {
          const y = tf.tensor2d(
            labelsAll.subarray(start * numClasses, (start + count) * numClasses),
            [count, numClasses],
          );
          perItem.set(qualityScores(emb, w, y).dataSync(), start);
        },
      );
      const score = meanOver(perItem, candidate.rows);
      const scoreAll = meanOver(perItem, null);
      const bySite = meanBySite(perItem, train.siteIds);
      scores.push(score);
      if (score > bestScore) {
        bestScore = score;
        bestEpoch = epoch;
        bestAll = scoreAll;
        bestBySite = bySite;
        if (config.priorSelection === 'best-epoch') bestW = (await w.data()) as Float32Array;
        await ctx.callbacks.onBestEpoch?.({
          stage: 'spl',
          unit: candidate.id,
          epoch,
          value: score,
        });
      }
      await ctx.callbacks.onEpochEnd?.({
        stage: 'spl',
        candidate: candidate.id,
        modality: candidate.modality.name,
        site: candidate.site,
        epoch,
        epochs: config.splEpochs,
        q,
        trainLoss: batches > 0 ? lossSum / batches : null,
        qualityScore: score,
        qualityScoreAll: scoreAll,
        qualityScoreBySite: bySite,
        bestScore,
        bestEpoch,
        seconds: (performance.now() - started) / 1000,
        batches,
      });
      await maybeCheckpoint(ctx, epoch, config.splEpochs, async () => ({
        kind: 'spl',
        id: candidate.id,
        nextEpoch: epoch + 1,
        rngState: rng.getState(),
        network: await net.read(),
        adam: await adam.getState(),
        w: (await w.data()) as Float32Array,
        bestValue: bestScore,
        bestEpoch,
        bestW,
        bestNetwork: null,
        history: [...scores],
        bestScoreAll: bestAll,
        bestScoreBySite: bestBySite,
      }));
      throwIfAborted(ctx.signal);
    }
    return {
      id: candidate.id,
      modality: candidate.modality.name,
      site: candidate.site,
      itemCount: candidate.rows.length,
      bestScore,
      bestEpoch,
      lastScore: scores[scores.length - 1] ?? -Infinity,
      lastW: (await w.data()) as Float32Array,
      bestW,
      scores,
      scoreAll: bestAll,
      scoreBySite: bestBySite,
    };
  } finally {
    adam.dispose();
    net.dispose();
    w.dispose();
  }
}

function meanOver(values: Float32Array, rows: Int32Array | null): number {
  let sum = 0;
  if (!rows) {
    for (const v of values) sum += v;
    return sum / values.length;
  }
  for (const r of rows) sum += values[r]!;
  return sum / rows.length;
}

function meanBySite(values: Float32Array, siteIds: Int32Array | undefined): Record<string, number> {
  if (!siteIds) return {};
  const sums = new Map<number, [number, number]>();
  siteIds.forEach((s, i) => {
    const acc = sums.get(s) ?? [0, 0];
    acc[0] += values[i]!;
    acc[1] += 1;
    sums.set(s, acc);
  });
  return Object.fromEntries(
    [...sums].sort((a, b) => a[0] - b[0]).map(([s, [t, n]]) => [String(s), t / n]),
  );
}
