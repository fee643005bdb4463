import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from './src/backend.ts';
await initBackend();
const a = tf.randomNormal([1024, 4096]);
const b = tf.randomNormal([1024, 4096]);
const w = tf.randomNormal([4096, 4096]);
const time = (name: string, f: () => tf.Tensor, flops: number) => {
  for (let i = 0; i < 2; i++) {
    const t = performance.now();
    const c = f();
    c.dataSync();
    c.dispose();
    const s = (performance.now() - t) / 1000;
    console.log(name, s.toFixed(2), 's', (flops / s / 1e9).toFixed(1), 'GFLOPS');
  }
};
const F = 2 * 1024 * 4096 * 4096;
time('a·w', () => tf.matMul(a, w), F);
time('a·wT', () => tf.matMul(a, w, false, true), F);
time('aT·b (transposeA)', () => tf.matMul(a, b, true, false), F);
time('transpose(a)·b', () => tf.tidy(() => tf.matMul(tf.transpose(a), b)), F);
const x = tf.tensor2d([
  [1, 2],
  [3, 4],
  [5, 6],
]);
const y = tf.tensor2d([
  [1, 0, 2],
  [0, 1, 3],
]);
tf.matMul(x, y, true, true).print();
tf.matMul(tf.transpose(x), tf.transpose(y)).print();
