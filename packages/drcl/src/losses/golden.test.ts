// Loss terms against the authors' own loss module (drcl-golden/losses.json, float64). Our maths
// runs in float32 on the WASM backend: every value must match within
//   |ours − golden| ≤ 1e-5 · max(1, |golden|)   (losses, scores, mixed features, targets, gradients),
// and W⁺ (computed in float64 in JS) within 1e-9.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { gceQ, getConfig } from '../config.ts';
import { pseudoInverse } from '../linalg/prior-matrix.ts';
import { flat, maxAbsDiff, readJson } from '../test-support.ts';
import { mixFeatures, mixLabels } from '../train/feature-augmentation.ts';
import { gceLoss, qualityScores } from './gce.ts';
import { rscLoss, rscLossTerms } from './rsc-loss.ts';

interface GoldenCase {
  N: number;
  D: number;
  C: number;
  multiLabel: boolean;
  lambda: number;
  features: number[][];
  labels: number[][];
  permutation: number[];
  W: number[][];
  mixedFeatures: number[][];
  mixedLabels: number[][];
  Wpinv: number[][];
  recastTargets: number[][];
  intraModalLoss: number;
  interModalLoss: number;
  mseLoss: number;
  gce: Record<string, number>;
  total: Record<string, { loss: number; gradWrtMixedFeatures: number[][] }>;
  qualityScore: number;
}

const golden = readJson<{ cases: GoldenCase[] }>('drcl-golden', 'losses.json');
const TOL = 1e-5;
const close = (ours: number, ref: number) =>
  expect(Math.abs(ours - ref)).toBeLessThanOrEqual(TOL * Math.max(1, Math.abs(ref)));
const weights = { discriminationWeight: 0.1, mseWeight: 0.1, cosEps: 1e-6 };

beforeAll(async () => {
  await initBackend();
});

describe.each(golden.cases.map((c, i) => [i, c] as const))('golden case %i', (_i, c) => {
  const scalar = (t: tf.Tensor) => t.dataSync()[0]!;

  it('FA: mixed features and labels', () => {
    const mixed = tf.tidy(() =>
      mixFeatures(tf.tensor2d(flat(c.features), [c.N, c.D]), c.permutation, c.lambda).dataSync(),
    );
    expect(maxAbsDiff(mixed, flat(c.mixedFeatures))).toBeLessThanOrEqual(TOL);
    const labels = mixLabels(flat(c.labels), c.C, c.permutation, c.lambda);
    expect(maxAbsDiff(labels, flat(c.mixedLabels))).toBeLessThanOrEqual(TOL);
  });

  it('MRR: W⁺ (float64, ≤ 1e-9) and recast targets ỹW⁺', () => {
    const pinv = pseudoInverse(c.W.flat(), c.D, c.C);
    expect(maxAbsDiff(pinv, c.Wpinv.flat())).toBeLessThanOrEqual(1e-9);
    const recast = tf.tidy(() =>
      tf
        .matMul(
          tf.tensor2d(flat(c.mixedLabels), [c.N, c.C]),
          tf.tensor2d(Float32Array.from(pinv), [c.C, c.D]),
        )
        .dataSync(),
    );
    expect(maxAbsDiff(recast, flat(c.recastTargets))).toBeLessThanOrEqual(TOL);
  });

  it('every loss term, GCE at q = 0.01 / 0.5 / 1 and the quality score', () => {
    tf.tidy(() => {
      const f = tf.tensor2d(flat(c.mixedFeatures), [c.N, c.D]);
      const y = tf.tensor2d(flat(c.mixedLabels), [c.N, c.C]);
      const w = tf.tensor2d(flat(c.W), [c.D, c.C]);
      const r = tf.tensor2d(flat(c.recastTargets), [c.N, c.D]);
      const terms = rscLossTerms(
        { mixedFeatures: f, mixedLabels: y, recastTargets: r, prior: w, q: 1 },
        weights,
      );
      close(scalar(terms.intraModal), c.intraModalLoss);
      close(scalar(terms.interModal), c.interModalLoss);
      close(scalar(terms.mse), c.mseLoss);
      for (const [q, value] of Object.entries(c.gce)) {
        close(scalar(gceLoss(tf.matMul(f, w), y, Number(q))), value);
      }
      const x = tf.tensor2d(flat(c.features), [c.N, c.D]);
      const labels = tf.tensor2d(flat(c.labels), [c.N, c.C]);
      close(scalar(tf.mean(qualityScores(x, w, labels))), c.qualityScore);
    });
  });

  it.each([
    ['recast targets', false],
    ['factorised R = ỹW⁺', true],
  ])(
    'total loss and its gradient w.r.t. the mixed features at each epoch (%s)',
    (_n, factorised) => {
      const config = getConfig();
      for (const [epoch, expected] of Object.entries(c.total)) {
        const q = gceQ(config, Number(epoch));
        tf.tidy(() => {
          const y = tf.tensor2d(flat(c.mixedLabels), [c.N, c.C]);
          const w = tf.tensor2d(flat(c.W), [c.D, c.C]);
          const r = tf.tensor2d(flat(c.recastTargets), [c.N, c.D]);
          const lossOf = (f: tf.Tensor) =>
            rscLoss(
              {
                mixedFeatures: f as tf.Tensor2D,
                mixedLabels: y,
                recastTargets: r,
                prior: w,
                q,
                ...(factorised ? { pinv: tf.tensor2d(flat(c.Wpinv), [c.C, c.D]) } : {}),
              },
              weights,
            );
          const f = tf.tensor2d(flat(c.mixedFeatures), [c.N, c.D]);
          const { value, grad } = tf.valueAndGrad(lossOf)(f);
          close(scalar(value), expected.loss);
          const ref = flat(expected.gradWrtMixedFeatures);
          expect(maxAbsDiff(grad.dataSync(), ref)).toBeLessThanOrEqual(TOL);
        });
      }
    },
  );
});

describe('hand-computable GCE and properties', () => {
  it('two equal logits give p_y = 1/2: GCE(q=1) = 1/2, GCE(q=1/2) = (1 − √½)/½', () => {
    tf.tidy(() => {
      const logits = tf.tensor2d([[0, 0]]);
      const y = tf.tensor2d([[1, 0]]);
      expect(scalarOf(gceLoss(logits, y, 1))).toBeCloseTo(0.5, 6);
      expect(scalarOf(gceLoss(logits, y, 0.5))).toBeCloseTo((1 - Math.SQRT1_2) / 0.5, 6);
    });
  });

  it('GCE at q = 1 equals mean(1 − p_y) with p_y from a softmax computed here', () => {
    const logits = [
      [0.3, -1.2, 2.0],
      [1.5, 0.1, -0.4],
      [-0.7, 0.2, 0.9],
    ];
    const cls = [2, 0, 1];
    let expected = 0;
    logits.forEach((row, i) => {
      const e = row.map(Math.exp);
      expected += 1 - e[cls[i]!]! / e.reduce((a, b) => a + b, 0);
    });
    expected /= logits.length;
    const y = cls.map((k) => [0, 1, 2].map((j) => (j === k ? 1 : 0)));
    const got = tf.tidy(() => scalarOf(gceLoss(tf.tensor2d(logits), tf.tensor2d(y), 1)));
    expect(Math.abs(got - expected)).toBeLessThanOrEqual(1e-6);
  });

  it('FA keeps label rows summing to 1 (one-hot labels, any permutation and λ)', () => {
    const labels = Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0]);
    for (const lambda of [0, 0.3, 0.9, 1]) {
      const mixed = mixLabels(labels, 3, [3, 2, 0, 1], lambda);
      for (let i = 0; i < 4; i++) {
        expect(mixed[i * 3]! + mixed[i * 3 + 1]! + mixed[i * 3 + 2]!).toBeCloseTo(1, 6);
      }
    }
  });
});

function scalarOf(t: tf.Tensor): number {
  return t.dataSync()[0]!;
}

describe('matrix products with transposed operands (WASM kernel wrapper)', () => {
  // x = [[1,2],[3,4],[5,6]], y = [[1,0,2],[0,1,3]]; expected products worked out by hand.
  const x = [
    [1, 2],
    [3, 4],
    [5, 6],
  ];
  const y = [
    [1, 0, 2],
    [0, 1, 3],
  ];
  const product = (a: number[][], b: number[][], ta: boolean, tb: boolean) =>
    tf.tidy(() => tf.matMul(tf.tensor2d(a), tf.tensor2d(b), ta, tb).arraySync() as number[][]);

  it('xᵀ·yᵀ, x·xᵀ and yᵀ·y', () => {
    expect(product(x, y, true, true)).toEqual([
      [11, 18],
      [14, 22],
    ]);
    expect(product(x, x, false, true)[0]).toEqual([5, 11, 17]);
    expect(product(y, y, true, false)).toEqual([
      [1, 0, 2],
      [0, 1, 3],
      [2, 3, 13],
    ]);
  });
});
