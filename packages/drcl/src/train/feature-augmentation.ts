// FA: f̃ = λf + (1−λ)f[π], ỹ = λy + (1−λ)y[π]. The permutation is applied as a product with the
// mixing matrix M = λI + (1−λ)P (P one-hot, P[i][π_i] = 1): WASM has no gradient for tf.gather
// (it needs UnsortedSegmentSum), and one matmul does the whole mix.
import * as tf from '@tensorflow/tfjs-core';

export function mixingMatrix(permutation: ArrayLike<number>, lambda: number): Float32Array {
  const n = permutation.length;
  const m = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    m[i * n + i]! += lambda;
    m[i * n + permutation[i]!]! += 1 - lambda;
  }
  return m;
}

/** Mixes labels in JS: row i = λ·y_i + (1−λ)·y_π(i). */
export function mixLabels(
  labels: Float32Array,
  numClasses: number,
  permutation: ArrayLike<number>,
  lambda: number,
): Float32Array {
  const n = permutation.length;
  const out = new Float32Array(n * numClasses);
  for (let i = 0; i < n; i++) {
    const j = permutation[i]!;
    for (let c = 0; c < numClasses; c++) {
      out[i * numClasses + c] =
        lambda * labels[i * numClasses + c]! + (1 - lambda) * labels[j * numClasses + c]!;
    }
  }
  return out;
}

/** f̃ = M·f for a batch of features f (N×D). Differentiable on every backend. */
export function mixFeatures(
  features: tf.Tensor2D,
  permutation: ArrayLike<number>,
  lambda: number,
): tf.Tensor2D {
  const n = permutation.length;
  return tf.tidy(() => tf.matMul(tf.tensor2d(mixingMatrix(permutation, lambda), [n, n]), features));
}
