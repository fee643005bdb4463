// The WASM backend sends a matrix product through XNNPACK only when neither operand is transposed;
// with transposeA or transposeB it falls back to a naive loop (measured here on 1024×4096·4096×4096:
// plain 14.5 GFLOPS, transposeB 1.6, transposeA 0.4). Backpropagation through a dense layer needs
// both (dX = dY·Wᵀ, dW = Xᵀ·dY), so we wrap the BatchMatMul kernel: transpose the operand
// explicitly (a cheap, memory-bound copy) and run the fast path.
import * as tf from '@tensorflow/tfjs-core';

let installed = false;

export function installFastWasmMatMul(): void {
  if (installed) return;
  const original = tf.getKernel(tf.BatchMatMul, 'wasm');
  const transpose = tf.getKernel(tf.Transpose, 'wasm');
  if (!original || !transpose) return;
  const originalFunc = original.kernelFunc;
  const transposeFunc = transpose.kernelFunc;
  tf.unregisterKernel(tf.BatchMatMul, 'wasm');
  tf.registerKernel({
    ...original,
    kernelFunc: (args) => {
      const { a, b } = args.inputs as unknown as { a: tf.TensorInfo; b: tf.TensorInfo };
      const attrs = args.attrs as unknown as tf.BatchMatMulAttrs;
      if (!attrs.transposeA && !attrs.transposeB) return originalFunc(args);
      const temporaries: tf.TensorInfo[] = [];
      const swapLast = (x: tf.TensorInfo): tf.TensorInfo => {
        const rank = x.shape.length;
        const perm = [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2];
        const out = transposeFunc({
          inputs: { x },
          backend: args.backend,
          attrs: { perm },
        }) as tf.TensorInfo;
        temporaries.push(out);
        return out;
      };
      const out = originalFunc({
        inputs: { a: attrs.transposeA ? swapLast(a) : a, b: attrs.transposeB ? swapLast(b) : b },
        backend: args.backend,
        attrs: { ...attrs, transposeA: false, transposeB: false },
      });
      const backend = args.backend as tf.KernelBackend;
      for (const t of temporaries) backend.disposeData(t.dataId);
      return out;
    },
  });
  installed = true;
}
