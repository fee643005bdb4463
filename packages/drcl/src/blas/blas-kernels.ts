// Replaces the WASM backend's BatchMatMul and _FusedMatMul kernels with OpenBLAS sgemm. Inputs are
// read from, and the output written straight into, the WASM heap (Float32Array views over the
// module's memory: no copies); transposeA/B map to CblasTrans. _FusedMatMul preloads the bias into
// the output (beta = 1) and applies ReLU in place. Anything the BLAS path does not cover (other
// dtypes, other activations, unusual bias shapes, batch broadcasting beyond 1↔B, empty tensors)
// goes to the kernel that was registered before.
import * as tf from '@tensorflow/tfjs-core';
import { heapView, type WasmBackendLike } from '../wasm-heap.ts';
import type { OpenBlas } from './openblas.ts';

type KernelFunc = tf.KernelConfig['kernelFunc'];

let blas: OpenBlas | null = null;
let enabled = true;

/** Installs the BLAS kernels on the wasm backend once; later calls only swap the library. */
export function installBlasMatMul(library: OpenBlas): void {
  const first = blas === null;
  blas = library;
  enabled = true;
  if (!first) return;
  override(tf.BatchMatMul, (args, fallback) => batchMatMul(args, fallback));
  override(tf._FusedMatMul, (args, fallback) => fusedMatMul(args, fallback));
}

/** Switches between the BLAS kernels and the WASM ones (to compare them in one process). */
export function setBlasMatMulEnabled(on: boolean): void {
  enabled = on;
}

export function blasMatMulActive(): boolean {
  return blas !== null && enabled;
}

function override(
  name: string,
  kernel: (args: Parameters<KernelFunc>[0], fallback: KernelFunc) => ReturnType<KernelFunc>,
): void {
  const original = tf.getKernel(name, 'wasm');
  if (!original) throw new Error(`wasm backend has no ${name} kernel to replace`);
  const fallback = original.kernelFunc;
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({
    ...original,
    kernelFunc: (args) => (blas && enabled ? kernel(args, fallback) : fallback(args)),
  });
}

interface Plan {
  m: number; // rows of op(A)
  n: number; // columns of op(B)
  k: number;
  batchA: number;
  batchB: number;
  outShape: number[];
}

function plan(a: tf.TensorInfo, b: tf.TensorInfo, transA: boolean, transB: boolean): Plan | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (ra < 2 || rb < 2) return null;
  const m = a.shape[transA ? ra - 1 : ra - 2]!;
  const ka = a.shape[transA ? ra - 2 : ra - 1]!;
  const kb = b.shape[transB ? rb - 1 : rb - 2]!;
  const n = b.shape[transB ? rb - 2 : rb - 1]!;
  if (ka !== kb) return null; // let the original kernel raise its error
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const batchA = tf.util.sizeFromShape(outerA);
  const batchB = tf.util.sizeFromShape(outerB);
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return null;
  let outer: number[];
  try {
    outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  } catch {
    return null;
  }
  if (m === 0 || n === 0 || ka === 0 || Math.max(batchA, batchB) === 0) return null;
  return { m, n, k: ka, batchA, batchB, outShape: [...outer, m, n] };
}

/** Runs C[i] = op(A[i])·op(B[i]) (+ C[i] when accumulate) for every batch entry. */
function gemm(
  backend: WasmBackendLike,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transA: boolean,
  transB: boolean,
  p: Plan,
  out: Float32Array,
  accumulate: boolean,
): void {
  // Views are made after makeOutput: allocating may grow (and so replace) the heap's buffer.
  const aAll = heapView(backend, a);
  const bAll = heapView(backend, b);
  const batch = Math.max(p.batchA, p.batchB);
  const lda = transA ? p.m : p.k;
  const ldb = transB ? p.k : p.n;
  for (let i = 0; i < batch; i++) {
    const aView = p.batchA === 1 ? aAll : aAll.subarray(i * p.m * p.k, (i + 1) * p.m * p.k);
    const bView = p.batchB === 1 ? bAll : bAll.subarray(i * p.k * p.n, (i + 1) * p.k * p.n);
    const cView = batch === 1 ? out : out.subarray(i * p.m * p.n, (i + 1) * p.m * p.n);
    blas!.sgemm(
      transA,
      transB,
      p.m,
      p.n,
      p.k,
      1,
      aView,
      lda,
      bView,
      ldb,
      accumulate ? 1 : 0,
      cView,
      p.n,
    );
  }
}

function batchMatMul(args: Parameters<KernelFunc>[0], fallback: KernelFunc): tf.TensorInfo {
  const { a, b } = args.inputs as unknown as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
  const p = plan(a, b, transposeA, transposeB);
  if (!p) return fallback(args) as tf.TensorInfo;
  const backend = args.backend as WasmBackendLike;
  const out = backend.makeOutput(p.outShape, 'float32');
  gemm(backend, a, b, transposeA, transposeB, p, heapView(backend, out), false);
  return out;
}

function fusedMatMul(args: Parameters<KernelFunc>[0], fallback: KernelFunc): tf.TensorInfo {
  const { a, b, bias, preluActivationWeights } = args.inputs as unknown as {
    a: tf.TensorInfo;
    b: tf.TensorInfo;
    bias?: tf.TensorInfo;
    preluActivationWeights?: tf.TensorInfo;
  };
  const { transposeA, transposeB, activation } = args.attrs as unknown as tf._FusedMatMulAttrs;
  const p = plan(a, b, transposeA, transposeB);
  const act = activation ?? 'linear';
  const biasFits =
    !bias ||
    (bias.dtype === 'float32' &&
      bias.shape.length <= 1 &&
      (tf.util.sizeFromShape(bias.shape) === 1 || bias.shape[0] === p?.n));
  if (!p || preluActivationWeights || (act !== 'linear' && act !== 'relu') || !biasFits) {
    return fallback(args) as tf.TensorInfo;
  }
  const backend = args.backend as WasmBackendLike;
  const out = backend.makeOutput(p.outShape, 'float32');
  const c = heapView(backend, out);
  if (bias) {
    const values = heapView(backend, bias);
    if (values.length === 1) c.fill(values[0]!);
    else for (let row = 0; row < c.length; row += p.n) c.set(values, row);
  }
  gemm(backend, a, b, transposeA, transposeB, p, c, Boolean(bias));
  if (act === 'relu') {
    for (let i = 0; i < c.length; i++) if (c[i]! < 0) c[i] = 0;
  }
  return out;
}
