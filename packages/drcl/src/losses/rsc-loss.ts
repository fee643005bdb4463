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

/** 2·dot / max(na·nbᵀ, eps) from precomputed products and row norms. */
function cos2FromDot(dot: tf.Tensor2D, na: tf.Tensor2D, nb: tf.Tensor2D, eps: number): tf.Tensor2D {
  return tf.tidy(() => tf.div(tf.mul(dot, 2), tf.maximum(tf.matMul(na, nb, false, true), eps)));
}

const rowNorms = (x: tf.Tensor2D): tf.Tensor2D =>
  tf.sqrt(tf.sum<tf.Tensor2D>(tf.square(x), 1, true));

export interface RscLossInputs {
  mixedFeatures: tf.Tensor2D;
  mixedLabels: tf.Tensor2D;
  recastTargets: tf.Tensor2D;
  prior: tf.Tensor2D;
  q: number;
  /**
   * W⁺ (C×D). When given, R·Rᵀ = ỹ(W⁺W⁺ᵀ)ỹᵀ and R·f̃ᵀ = ỹ(f̃W⁺ᵀ)ᵀ go through the C-dimensional
   * factorisation R = ỹW⁺ — the same values, without two N×N×D products per step.
   */
  pinv?: tf.Tensor2D;
}

/** cos2(R,R) and cos2(R,f̃), directly or through R = ỹW⁺. */
function targetCosines(inputs: RscLossInputs, eps: number): [tf.Tensor2D, tf.Tensor2D] {
  const { mixedFeatures: f, mixedLabels: y, recastTargets: r, pinv } = inputs;
  if (!pinv) return [cos2(r, r, eps), cos2(r, f, eps)];
  return tf.tidy(() => {
    const gram = tf.matMul(pinv, pinv, false, true); // C×C
    const yg = tf.matMul(y, gram); // N×C
    const nr = tf.sqrt(tf.sum<tf.Tensor2D>(tf.mul(yg, y), 1, true)); // ‖R_i‖ = √(ỹ_i G ỹ_iᵀ)
    const rr = tf.matMul<tf.Tensor2D>(yg, y, false, true); // N×N
    const rf = tf.matMul<tf.Tensor2D>(y, tf.matMul(f, pinv, false, true), false, true); // N×N
    return [cos2FromDot(rr, nr, nr, eps), cos2FromDot(rf, nr, rowNorms(f), eps)];
  });
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
  const [intraModal, interModal] = tf.tidy(() => {
    const [rr, rf] = targetCosines(inputs, eps);
    return [
      tf.mean<tf.Scalar>(tf.square(tf.sub(rr, cos2(f, f, eps)))),
      tf.mean<tf.Scalar>(tf.square(tf.sub(rf, tf.transpose(rf)))),
    ];
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
