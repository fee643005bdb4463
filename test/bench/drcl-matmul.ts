// Micro-benchmark of the kernels that dominate DRCL training on the active backend: a dense
// layer's products (plain, transposeA, transposeB) and one Linear+ReLU layer forward+backward,
// fused (tf.fused.matMul) or not. Interleaves the variants to share the machine's load fairly.
//
//   npx tsx test/bench/drcl-matmul.ts [--n 1024] [--k 4096] [--m 4096] [--reps 3] [--slow-transposes]
import * as tf from '@tensorflow/tfjs-core';
import { parseArgs } from 'node:util';
import { initBackend } from '@concord/drcl';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '1024' },
    k: { type: 'string', default: '4096' },
    m: { type: 'string', default: '4096' },
    reps: { type: 'string', default: '3' },
    'slow-transposes': { type: 'boolean', default: false },
  },
});
const [n, k, m, reps] = [values.n, values.k, values.m, values.reps].map(Number) as [
  number,
  number,
  number,
  number,
];
const info = await initBackend({ fastTransposedMatMul: !values['slow-transposes'] });
console.log(`backend ${info.name} simd=${info.simd} threads=${info.threads}`);

const x = tf.randomNormal<tf.Rank.R2>([n, k]);
const w = tf.variable(tf.randomNormal<tf.Rank.R2>([k, m], 0, 0.01));
const b = tf.variable(tf.zeros<tf.Rank.R1>([m]));
const dy = tf.randomNormal<tf.Rank.R2>([n, m]);
const wT = tf.transpose(w);
const flops = 2 * n * k * m;

const variants: Record<string, { flops: number; run: () => tf.Tensor }> = {
  'x·W': { flops, run: () => tf.matMul(x, w) },
  'x·(Wᵀ)ᵀ transposeB': { flops, run: () => tf.matMul(x, wT, false, true) },
  'xᵀ·dY transposeA': { flops, run: () => tf.matMul(x, dy, true, false) },
  'layer fwd+bwd fused': {
    flops: 3 * flops,
    run: () =>
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(
          () => tf.sum(tf.mul(tf.fused.matMul({ a: x, b: w, bias: b, activation: 'relu' }), dy)),
          [w, b],
        );
        return tf.add(tf.sum(grads[w.name]!), value);
      }),
  },
  'layer fwd+bwd unfused': {
    flops: 3 * flops,
    run: () =>
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(
          () => tf.sum(tf.mul(tf.relu(tf.add(tf.matMul(x, w), b)), dy)),
          [w, b],
        );
        return tf.add(tf.sum(grads[w.name]!), value);
      }),
  },
};

const best = new Map<string, number>();
for (let r = 0; r < reps; r++) {
  for (const [name, v] of Object.entries(variants)) {
    const t = performance.now();
    const out = v.run();
    out.dataSync();
    out.dispose();
    const s = (performance.now() - t) / 1000;
    best.set(name, Math.min(best.get(name) ?? Infinity, s));
  }
}
for (const [name, v] of Object.entries(variants)) {
  const s = best.get(name)!;
  console.log(
    `${name.padEnd(24)} best of ${reps}: ${s.toFixed(3)} s  ${(v.flops / s / 1e9).toFixed(1)} GFLOPS`,
  );
}
