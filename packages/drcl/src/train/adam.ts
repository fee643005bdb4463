// Adam with PyTorch's update rule (bias-corrected moments, ε added to √v̂), state exportable for
// checkpoints.
import * as tf from '@tensorflow/tfjs-core';

export interface AdamSettings {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

export interface AdamState {
  step: number;
  m: Float32Array[];
  v: Float32Array[];
}

export class Adam {
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];
  step = 0;

  constructor(
    private readonly params: tf.Variable[],
    private readonly settings: AdamSettings,
  ) {
    this.m = tf.tidy(() => params.map((p) => tf.variable(tf.zerosLike(p), false)));
    this.v = tf.tidy(() => params.map((p) => tf.variable(tf.zerosLike(p), false)));
  }

  /** Applies one update with gradients listed in the order of `params`. */
  apply(grads: tf.Tensor[]): void {
    const { learningRate, beta1, beta2, epsilon } = this.settings;
    this.step += 1;
    const c1 = 1 - beta1 ** this.step;
    const sqrtC2 = Math.sqrt(1 - beta2 ** this.step);
    tf.tidy(() => {
      this.params.forEach((p, i) => {
        const g = grads[i]!;
        const m = tf.add(tf.mul(this.m[i]!, beta1), tf.mul(g, 1 - beta1));
        const v = tf.add(tf.mul(this.v[i]!, beta2), tf.mul(tf.square(g), 1 - beta2));
        const denom = tf.add(tf.div(tf.sqrt(v), sqrtC2), epsilon);
        p.assign(tf.sub(p, tf.mul(tf.div(m, denom), learningRate / c1)));
        this.m[i]!.assign(m);
        this.v[i]!.assign(v);
      });
    });
  }

  async getState(): Promise<AdamState> {
    return {
      step: this.step,
      m: await Promise.all(this.m.map(async (t) => (await t.data()) as Float32Array)),
      v: await Promise.all(this.v.map(async (t) => (await t.data()) as Float32Array)),
    };
  }

  setState(state: AdamState): void {
    this.step = state.step;
    tf.tidy(() => {
      this.m.forEach((t, i) => t.assign(tf.tensor(state.m[i]!, t.shape)));
      this.v.forEach((t, i) => t.assign(tf.tensor(state.v[i]!, t.shape)));
    });
  }

  dispose(): void {
    for (const t of [...this.m, ...this.v]) t.dispose();
  }
}
