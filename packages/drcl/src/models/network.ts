// One modality's network: x → [Linear + ReLU]* → Linear D (no bias) → L2-normalise.
// Initialised like PyTorch's nn.Linear (U(±1/√fan_in) for weights and biases), except the last
// layer, which the reference draws from U(±1/√d_in) with d_in the *input feature* size.
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../random.ts';

export interface LayerWeights {
  inSize: number;
  outSize: number;
  /** inSize×outSize, row-major (x·W). */
  weight: Float32Array;
  bias: Float32Array | null;
}

/** A network as plain arrays (serialisable, no tensors). */
export interface NetworkWeights {
  inputDim: number;
  layers: LayerWeights[];
}

export function initNetworkWeights(
  inputDim: number,
  hiddenSizes: readonly number[],
  embeddingDim: number,
  rng: Rng,
): NetworkWeights {
  const sizes = [inputDim, ...hiddenSizes, embeddingDim];
  const layers: LayerWeights[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const inSize = sizes[i]!;
    const outSize = sizes[i + 1]!;
    const last = i + 2 === sizes.length;
    const bound = 1 / Math.sqrt(last ? inputDim : inSize);
    const weight = rng.fillUniform(new Float32Array(inSize * outSize), bound);
    const bias = last ? null : rng.fillUniform(new Float32Array(outSize), bound);
    layers.push({ inSize, outSize, weight, bias });
  }
  return { inputDim, layers };
}

export interface ForwardOptions {
  /** Use tf.fused.matMul (matMul + bias + ReLU in one kernel). Same maths. */
  fused?: boolean;
}

/** A network held as trainable tf.Variables. Call `dispose()` when done. */
export class ModalityNetwork {
  readonly inputDim: number;
  readonly weights: tf.Variable[];
  readonly biases: (tf.Variable | null)[];

  constructor(init: NetworkWeights, trainable = true) {
    this.inputDim = init.inputDim;
    // Inside tidy: the initial-value tensors are freed, the variables (never tidied) stay.
    this.weights = tf.tidy(() =>
      init.layers.map((l) => tf.variable(tf.tensor2d(l.weight, [l.inSize, l.outSize]), trainable)),
    );
    this.biases = init.layers.map((l) =>
      l.bias === null ? null : tf.tidy(() => tf.variable(tf.tensor1d(l.bias!), trainable)),
    );
  }

  get embeddingDim(): number {
    return this.weights[this.weights.length - 1]!.shape[1]!;
  }

  /** All trainable variables in a fixed order (weights and biases, layer by layer). */
  variables(): tf.Variable[] {
    const out: tf.Variable[] = [];
    this.weights.forEach((w, i) => {
      out.push(w);
      const b = this.biases[i];
      if (b) out.push(b);
    });
    return out;
  }

  /** L2-normalised embeddings of a batch x (N×inputDim). */
  apply(x: tf.Tensor2D, options: ForwardOptions = {}): tf.Tensor2D {
    return tf.tidy(() => {
      let h: tf.Tensor2D = x;
      const n = this.weights.length;
      for (let i = 0; i < n; i++) {
        const w = this.weights[i]!;
        const b = this.biases[i] ?? undefined;
        const hidden = i + 1 < n;
        if (options.fused ?? true) {
          h = tf.fused.matMul({
            a: h,
            b: w,
            bias: b,
            activation: hidden ? 'relu' : 'linear',
          }) as tf.Tensor2D;
        } else {
          let z: tf.Tensor2D = tf.matMul(h, w);
          if (b) z = tf.add(z, b);
          h = hidden ? tf.relu(z) : z;
        }
      }
      return l2Normalize(h);
    });
  }

  setWeights(weights: NetworkWeights): void {
    tf.tidy(() => {
      weights.layers.forEach((l, i) => {
        this.weights[i]!.assign(tf.tensor2d(l.weight, [l.inSize, l.outSize]));
        const b = this.biases[i];
        if (b && l.bias) b.assign(tf.tensor1d(l.bias));
      });
    });
  }

  /** Copies the current values out as plain arrays. */
  async read(): Promise<NetworkWeights> {
    const layers: LayerWeights[] = [];
    for (let i = 0; i < this.weights.length; i++) {
      const w = this.weights[i]!;
      const b = this.biases[i];
      layers.push({
        inSize: w.shape[0],
        outSize: w.shape[1]!,
        weight: (await w.data()) as Float32Array,
        bias: b ? ((await b.data()) as Float32Array) : null,
      });
    }
    return { inputDim: this.inputDim, layers };
  }

  dispose(): void {
    for (const v of this.variables()) v.dispose();
  }
}

/** Row-wise x / max(‖x‖, 1e-12), as torch.nn.functional.normalize. */
export function l2Normalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const sq = tf.sum(tf.square(x), 1, true);
    return tf.mul(x, tf.rsqrt(tf.maximum(sq, 1e-24)));
  });
}

export function parameterCount(weights: NetworkWeights): number {
  return weights.layers.reduce((s, l) => s + l.weight.length + (l.bias?.length ?? 0), 0);
}

/** FLOPs of one forward pass of n rows through the dense layers (2·n·in·out per layer). */
export function forwardFlops(weights: Pick<NetworkWeights, 'layers'>, n: number): number {
  return weights.layers.reduce((s, l) => s + 2 * n * l.inSize * l.outSize, 0);
}
