// The RSC objective of one batch: J = J_L + wD·J_D + wMSE·J_MSE, on mixed features f̃, mixed
// labels ỹ and the recast targets R = ỹW⁺ (see drcl-method.md, stage 2).
import * as tf from '@tensorflow/tfjs-core';
import '../tf-gradients.ts';
import { gceLoss } from './gce.ts';

/** cos2(A, B) = 2·ABᵀ / max(‖A_i‖‖B_j‖, eps). */
export function cos2(a: tf.Tensor2D, b: tf.Tensor2D, eps: number): tf.Tensor2D {
  return tf.tidy(() => {
    const na = tf.sqrt(tf.sum(tf.square(a), 1, true)); // N×1
    const nb = tf.sqrt(tf.sum(tf.square(b), 1, true)); // M×1
    const denom = tf.maximum(tf.matMul(na, nb, false, true), eps);
    return tf.div(tf.mul(tf.matMul(a, b, false, true), 2), denom);
  });
}

export interface RscLossInputs {
  mixedFeatures: tf.Tensor2D;
  mixedLabels: tf.Tensor2D;
  recastTargets: tf.Tensor2D;
  prior: tf.Tensor2D;
  q: number;
}

export interface RscLossWeights {
  discriminationWeight: number;
  mseWeight: number;
  cosEps: number;
}

export interface RscLossTerms {
  /** mean((cos2(R,R) − cos2(f̃,f̃))²) */
  intraModal: tf.Scalar;
  /** mean((cos2(R,f̃) − cos2(R,f̃)ᵀ)²) */
  interModal: tf.Scalar;
  /** J_D = intra + inter */
  discrimination: tf.Scalar;
  /** J_MSE = mean((R − f̃)²) */
  mse: tf.Scalar;
  /** J_L = GCE(f̃W, ỹ, q) */
  label: tf.Scalar;
  total: tf.Scalar;
}

export function rscLossTerms(inputs: RscLossInputs, weights: RscLossWeights): RscLossTerms {
  const { mixedFeatures: f, mixedLabels: y, recastTargets: r, prior, q } = inputs;
  const eps = weights.cosEps;
  const intraModal = tf.tidy(() =>
    tf.mean<tf.Scalar>(tf.square(tf.sub(cos2(r, r, eps), cos2(f, f, eps)))),
  );
  const interModal = tf.tidy(() => {
    const c = cos2(r, f, eps);
    return tf.mean<tf.Scalar>(tf.square(tf.sub(c, tf.transpose(c))));
  });
  const discrimination = tf.add<tf.Scalar>(intraModal, interModal);
  const mse = tf.tidy(() => tf.mean<tf.Scalar>(tf.square(tf.sub(r, f))));
  const label = gceLoss(tf.matMul(f, prior), y, q);
  const total = tf.tidy(() =>
    tf.addN([
      label,
      tf.mul(discrimination, weights.discriminationWeight),
      tf.mul(mse, weights.mseWeight),
    ]),
  ) as tf.Scalar;
  return { intraModal, interModal, discrimination, mse, label, total };
}

/** Only the total (for gradients; intermediates are freed by the caller's tidy). */
export function rscLoss(inputs: RscLossInputs, weights: RscLossWeights): tf.Scalar {
  return tf.tidy(() => rscLossTerms(inputs, weights).total);
}
