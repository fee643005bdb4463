// Adam against PyTorch's update rule done here in float64 arithmetic: m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g², p ← p − lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + ε).
// Tolerance 2e-6: float32 rounding of parameters of magnitude ≤ ~3 (2⁻²⁴·3 ≈ 2e-7 per step).
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { Rng } from '../random.ts';
import { Adam, type AdamSettings } from './adam.ts';

const SETTINGS: AdamSettings = { learningRate: 5e-4, beta1: 0.5, beta2: 0.999, epsilon: 1e-8 };

beforeAll(async () => {
  await initBackend();
});

function reference(p0: number[], gradients: number[][], s: AdamSettings): number[] {
  const p = [...p0];
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  gradients.forEach((g, t) => {
    const step = t + 1;
    for (let j = 0; j < p.length; j++) {
      m[j] = s.beta1 * m[j]! + (1 - s.beta1) * g[j]!;
      v[j] = s.beta2 * v[j]! + (1 - s.beta2) * g[j]! ** 2;
      const mHat = m[j]! / (1 - s.beta1 ** step);
      const vHat = v[j]! / (1 - s.beta2 ** step);
      p[j] = p[j]! - (s.learningRate * mHat) / (Math.sqrt(vHat) + s.epsilon);
    }
  });
  return p;
}

describe('Adam', () => {
  it('follows PyTorch’s rule over 5 steps and leaks no tensors', () => {
    const rng = new Rng(3);
    const p0 = Array.from({ length: 257 }, () => rng.normal());
    const gradients = Array.from({ length: 5 }, () => p0.map(() => rng.normal() * 0.1));
    const p = tf.variable(tf.tensor2d(p0, [1, 257]));
    const adam = new Adam([p], SETTINGS);
    const before = tf.memory().numTensors;
    for (const g of gradients) {
      const gt = tf.tensor2d(g, [1, 257]);
      adam.apply([gt]);
      gt.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    const expected = reference(p0, gradients, SETTINGS);
    const got = p.dataSync();
    let worst = 0;
    for (let j = 0; j < 257; j++) worst = Math.max(worst, Math.abs(got[j]! - expected[j]!));
    expect(worst).toBeLessThanOrEqual(2e-6);
    adam.dispose();
    p.dispose();
  });
});
