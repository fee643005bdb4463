// Generalized cross-entropy and the SPL quality score, on logits f·W and (multi-hot) labels.
import * as tf from '@tensorflow/tfjs-core';
import '../tf-gradients.ts';

/** Per-row Σ_c y_ic · softmax(logits_i)_c. */
export function trueClassProbability(logits: tf.Tensor2D, labels: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.sum(tf.mul(tf.softmax(logits), labels), 1));
}

/**
 * GCE = mean_i (1 − p_i^q) / q with p_i the probability mass on the true class(es).
 * q must be > 0 (q → 0 is cross-entropy; the reference makes no update at q = 0).
 */
export function gceLoss(logits: tf.Tensor2D, labels: tf.Tensor2D, q: number): tf.Scalar {
  if (!(q > 0)) throw new RangeError('GCE needs q > 0');
  return tf.tidy(() => {
    const p = trueClassProbability(logits, labels);
    // p^q as exp(q·log p): kernels every backend (WASM included) differentiates.
    const pq = tf.exp(tf.mul(tf.log(p), q));
    return tf.div(tf.mean(tf.sub(1, pq)), q);
  });
}

/** S = mean_i Σ_c y_ic · softmax(f_i·W)_c — the SPL quality score, per item. */
export function qualityScores(
  features: tf.Tensor2D,
  w: tf.Tensor2D,
  labels: tf.Tensor2D,
): tf.Tensor1D {
  return tf.tidy(() => trueClassProbability(tf.matMul(features, w), labels));
}
