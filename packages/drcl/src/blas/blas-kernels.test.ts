// The OpenBLAS matrix-product kernels against float64 arithmetic done here, and against the WASM
// backend's own kernels (XNNPACK / its loops), which they replace: every transpose combination,
// fused bias + ReLU, batched and broadcast products, odd shapes and a gradient through a layer.
//
// Tolerances. Products: |c − c64| ≤ 1e-5 · max Σ_k |a_ik·b_kj| over the matrix (float32 rounding
// of a k-term dot product is bounded by k·2⁻²⁴ of that sum; with k ≤ 300 the typical error is far
// below). BLAS vs WASM: both float32, summing in different orders: the same bound, doubled.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { Rng } from '../random.ts';
import { setBlasMatMulEnabled } from './blas-kernels.ts';

const info = await initBackend();
const missing = info.blas
  ? null
  : info.notes.filter((n) => n.includes('OpenBLAS')).join('; ') ||
    `the ${info.name} backend does not use OpenBLAS`;
if (missing) console.warn(`OpenBLAS kernel tests skipped: ${missing}`);
const blasTitle = (title: string) =>
  missing ? `${title} (skipped: OpenBLAS did not load: ${missing})` : title;
const TOL = 1e-5;

afterAll(() => setBlasMatMulEnabled(true));

interface Case {
  name: string;
  aShape: number[];
  bShape: number[];
  transposeA: boolean;
  transposeB: boolean;
}

const rng = new Rng(20260101);
function normal(shape: number[]): tf.Tensor {
  const size = shape.reduce((s, d) => s * d, 1);
  return tf.tensor(
    Float32Array.from({ length: size }, () => rng.normal()),
    shape,
  );
}

/** C = op(A)·op(B) in float64 for every batch entry (A or B may have batch 1: broadcast). */
function reference(a: tf.Tensor, b: tf.Tensor, ta: boolean, tb: boolean) {
  const av = a.dataSync();
  const bv = b.dataSync();
  const [ar, ac] = a.shape.slice(-2) as [number, number];
  const [br, bc] = b.shape.slice(-2) as [number, number];
  const [m, k] = ta ? [ac, ar] : [ar, ac];
  const n = tb ? br : bc;
  const batchA = av.length / (ar * ac);
  const batchB = bv.length / (br * bc);
  const batch = Math.max(batchA, batchB);
  const out = new Float64Array(batch * m * n);
  let scale = 0; // max Σ|a·b|
  for (let t = 0; t < batch; t++) {
    const ao = (batchA === 1 ? 0 : t) * ar * ac;
    const bo = (batchB === 1 ? 0 : t) * br * bc;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        let abs = 0;
        for (let p = 0; p < k; p++) {
          const x = av[ao + (ta ? p * ac + i : i * ac + p)]!;
          const y = bv[bo + (tb ? j * bc + p : p * bc + j)]!;
          s += x * y;
          abs += Math.abs(x * y);
        }
        out[(t * m + i) * n + j] = s;
        scale = Math.max(scale, abs);
      }
    }
  }
  return { out, scale };
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

/** Runs `f` on the BLAS kernels and then on the WASM kernels; returns both outputs. */
function both(f: () => tf.Tensor): { blas: Float32Array; wasm: Float32Array; shape: number[] } {
  const blas = onBlas(f);
  setBlasMatMulEnabled(false);
  try {
    const y = f();
    const wasm = y.dataSync() as Float32Array;
    expect(y.shape).toEqual(blas.shape);
    y.dispose();
    return { blas: blas.values, wasm, shape: blas.shape };
  } finally {
    setBlasMatMulEnabled(true);
  }
}

function onBlas(f: () => tf.Tensor): { values: Float32Array; shape: number[] } {
  setBlasMatMulEnabled(true);
  const x = f();
  const out = { values: x.dataSync() as Float32Array, shape: x.shape };
  x.dispose();
  return out;
}

const cases: Case[] = [];
for (const transposeA of [false, true]) {
  for (const transposeB of [false, true]) {
    // m=37, k=53, n=29: odd sizes, no multiple of any SIMD width.
    const a = transposeA ? [53, 37] : [37, 53];
    const b = transposeB ? [29, 53] : [53, 29];
    cases.push({
      name: `2-D tA=${transposeA} tB=${transposeB}`,
      aShape: a,
      bShape: b,
      transposeA,
      transposeB,
    });
    cases.push({
      name: `batched 3 tA=${transposeA} tB=${transposeB}`,
      aShape: [3, ...a],
      bShape: [3, ...b],
      transposeA,
      transposeB,
    });
  }
}
cases.push({
  name: 'broadcast A batch 1',
  aShape: [1, 5, 7],
  bShape: [4, 7, 3],
  transposeA: false,
  transposeB: false,
});
cases.push({
  name: 'broadcast B batch 1, tB',
  aShape: [2, 2, 5, 7],
  bShape: [3, 7],
  transposeA: false,
  transposeB: true,
});
cases.push({
  name: '1×1 inner 1',
  aShape: [1, 1],
  bShape: [1, 1],
  transposeA: false,
  transposeB: false,
});
cases.push({
  name: 'vector-like 1×300·300×257',
  aShape: [1, 300],
  bShape: [300, 257],
  transposeA: false,
  transposeB: false,
});

describe.skipIf(missing !== null)(blasTitle('OpenBLAS BatchMatMul'), () => {
  it.each(cases)('$name matches float64 arithmetic and the WASM kernel', (c) => {
    const a = normal(c.aShape);
    const b = normal(c.bShape);
    const before = tf.memory().numTensors;
    const { blas, wasm, shape } = both(() => tf.matMul(a, b, c.transposeA, c.transposeB));
    expect(tf.memory().numTensors).toBe(before);
    const { out, scale } = reference(a, b, c.transposeA, c.transposeB);
    expect(blas.length).toBe(out.length);
    expect(shape.slice(-2)).toEqual([
      c.transposeA ? c.aShape.at(-1) : c.aShape.at(-2),
      c.transposeB ? c.bShape.at(-2) : c.bShape.at(-1),
    ]);
    expect(maxDiff(blas, out)).toBeLessThanOrEqual(TOL * scale);
    expect(maxDiff(blas, wasm)).toBeLessThanOrEqual(2 * TOL * scale);
    a.dispose();
    b.dispose();
  });
});

describe.skipIf(missing !== null)(blasTitle('OpenBLAS _FusedMatMul'), () => {
  // WASM's own _FusedMatMul is wrong with a transposed operand (tfjs-backend-wasm 4.22: it reads
  // the output shape from a rank-3 index of rank-2 inputs), so those cases check against float64
  // only; DRCL only uses the fused kernel untransposed (its gradient runs plain BatchMatMuls).
  it.each([
    { tA: false, tB: false },
    { tA: true, tB: false },
    { tA: false, tB: true },
    { tA: true, tB: true },
  ])('bias + ReLU with tA=$tA tB=$tB equals relu(op(A)·op(B) + bias) in float64', ({ tA, tB }) => {
    const a = normal(tA ? [41, 33] : [33, 41]);
    const b = normal(tB ? [19, 41] : [41, 19]);
    const bias = normal([19]);
    const run = () =>
      tf.fused.matMul({
        a: a,
        b: b,
        bias,
        activation: 'relu',
        transposeA: tA,
        transposeB: tB,
      });
    const blas = onBlas(run).values;
    const { out, scale } = reference(a, b, tA, tB);
    const bv = bias.dataSync();
    const expected = out.map((v, i) => Math.max(0, v + bv[i % 19]!));
    expect(maxDiff(blas, expected)).toBeLessThanOrEqual(TOL * (scale + 4));
    expect(blas.every((v) => v >= 0)).toBe(true);
    if (!tA && !tB)
      expect(maxDiff(blas, both(run).wasm)).toBeLessThanOrEqual(2 * TOL * (scale + 4));
    tf.dispose([a, b, bias]);
  });

  it('linear with a scalar bias, and an activation it leaves to WASM (elu), in batches', () => {
    const a = normal([2, 9, 13]);
    const b = normal([2, 13, 6]);
    const scalar = tf.scalar(0.25);
    // WASM's fused kernel refuses a rank-0 bias: float64 arithmetic is the reference.
    const linear = onBlas(() => tf.fused.matMul({ a: a, b: b, bias: scalar }));
    const { out, scale } = reference(a, b, false, false);
    expect(
      maxDiff(
        linear.values,
        out.map((v) => v + 0.25),
      ),
    ).toBeLessThanOrEqual(TOL * (scale + 1));
    const elu = both(() => tf.fused.matMul({ a: a, b: b, activation: 'elu' }));
    const expected = out.map((v) => (v > 0 ? v : Math.expm1(v)));
    expect(maxDiff(elu.blas, expected)).toBeLessThanOrEqual(TOL * scale);
    expect(maxDiff(elu.blas, elu.wasm)).toBeLessThanOrEqual(2 * TOL * scale);
    tf.dispose([a, b, scalar]);
  });

  it('the gradient of a Linear+ReLU layer (through transposed products) matches WASM', () => {
    const x = normal([64, 23]);
    const w = normal([23, 31]);
    const bias = normal([31]);
    const dy = normal([64, 31]);
    const loss = (ww: tf.Tensor, bb: tf.Tensor) =>
      tf.sum(
        tf.mul(
          tf.fused.matMul({
            a: x,
            b: ww,
            bias: bb,
            activation: 'relu',
          }),
          dy,
        ),
      );
    const run = () =>
      tf.tidy(() => {
        const [gw, gb] = tf.grads(loss)([w, bias]);
        return tf.concat([gw!.flatten(), gb!.flatten()]);
      });
    const before = tf.memory().numTensors;
    const { blas, wasm } = both(run);
    expect(tf.memory().numTensors).toBe(before);
    // dW = xᵀ·(dy ⊙ mask): k = 64 terms of |x·dy| (each ~1): scale ≤ 64·E|xy|·few ≈ 100.
    const { scale } = reference(x, dy, true, false);
    expect(maxDiff(blas, wasm)).toBeLessThanOrEqual(2 * TOL * scale);
    // Against float64 arithmetic: db_j = Σ_i dy_ij · [z_ij > 0], z = x·w + bias.
    const z = reference(x, w, false, false).out;
    const bv = bias.dataSync();
    const dyv = dy.dataSync();
    const db = new Float64Array(31);
    for (let i = 0; i < 64; i++) {
      for (let j = 0; j < 31; j++)
        if (z[i * 31 + j]! + bv[j]! > 0) db[j] = db[j]! + dyv[i * 31 + j]!;
    }
    expect(maxDiff(blas.subarray(23 * 31), db)).toBeLessThanOrEqual(1e-4);
    tf.dispose([x, w, bias, dy]);
  });
});

describe('backend report', () => {
  it(`names the kernels in use (${info.name})`, async () => {
    if (info.blas) {
      expect(info.name).toBe('wasm+openblas');
      expect(info.blas.library).toMatch(/OpenBLAS/);
      expect(info.blas.threads).toBeGreaterThanOrEqual(1);
    } else {
      expect(info.name).not.toBe('cpu');
      expect(info.notes.length).toBeGreaterThan(0);
    }
    const plain = await initBackend({ openblas: false });
    expect(plain.name).toBe('wasm');
    expect(plain.blas).toBeUndefined();
    await initBackend();
  });
});
