// Micro-benchmark of the kernels that dominate DRCL training on the active backend: a dense
// layer's products (plain, transposeA, transposeB) and one Linear+ReLU layer forward+backward,
// fused (tf.fused.matMul) or not. Runs every variant on OpenBLAS (when it loads) and on the WASM
// kernels, interleaved, so both see the same machine load; prints the ratio and the load average.
//
//   npx tsx test/bench/drcl-matmul.ts [--n 1024] [--k 4096] [--m 4096] [--reps 3] [--slow-transposes]
//       [--blas-threads 2]
import * as tf from '@tensorflow/tfjs-core';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { initBackend, setBlasMatMulEnabled } from '@concord/drcl';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '1024' },
    k: { type: 'string', default: '4096' },
    m: { type: 'string', default: '4096' },
    reps: { type: 'string', default: '3' },
    'slow-transposes': { type: 'boolean', default: false },
    'blas-threads': { type: 'string' },
  },
});
const [n, k, m, reps] = [values.n, values.k, values.m, values.reps].map(Number) as [
  number,
  number,
  number,
  number,
];
const info = await initBackend({
  fastTransposedMatMul: !values['slow-transposes'],
  ...(values['blas-threads'] ? { blasThreads: Number(values['blas-threads']) } : {}),
});
console.log(`backend ${info.name} simd=${info.simd} threads=${info.threads}`);
if (info.blas) console.log(`blas ${info.blas.library} threads=${info.blas.threads}`);
for (const note of info.notes) console.log(`note: ${note}`);
console.log(`n=${n} k=${k} m=${m} reps=${reps}; load average ${loadavgText()}`);
const kernels = info.blas ? ['openblas', 'wasm'] : ['wasm'];

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
    for (const kernel of kernels) {
      setBlasMatMulEnabled(kernel === 'openblas');
      const t = performance.now();
      const out = v.run();
      out.dataSync();
      out.dispose();
      const s = (performance.now() - t) / 1000;
      const key = `${name}|${kernel}`;
      best.set(key, Math.min(best.get(key) ?? Infinity, s));
    }
  }
}
for (const [name, v] of Object.entries(variants)) {
  const cells = kernels.map((kernel) => {
    const s = best.get(`${name}|${kernel}`)!;
    return `${kernel} ${s.toFixed(3)} s ${(v.flops / s / 1e9).toFixed(1).padStart(6)} GFLOPS`;
  });
  const ratio =
    kernels.length === 2
      ? `  ×${(best.get(`${name}|wasm`)! / best.get(`${name}|openblas`)!).toFixed(1)}`
      : '';
  console.log(`${name.padEnd(24)} best of ${reps}: ${cells.join('  |  ')}${ratio}`);
}
console.log(`load average after: ${loadavgText()}`);

function loadavgText(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
}
