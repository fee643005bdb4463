// Float32Array views of tensors that live on the WASM backend's heap (no copies). A view is valid
// until the next allocation on the backend: allocating may grow the heap and replace its buffer.
import * as tf from '@tensorflow/tfjs-core';

/** The parts of the WASM backend the views use (public members of its class). */
export interface WasmBackendLike extends tf.KernelBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

/** The float32 contents of `t` on the WASM heap, in place. */
export function heapView(backend: WasmBackendLike, t: tf.TensorInfo): Float32Array {
  const data = backend.dataIdMap.get(t.dataId);
  if (!data) throw new Error('tensor is not on the wasm backend');
  const size = tf.util.sizeFromShape(t.shape);
  return new Float32Array(backend.wasm.HEAPU8.buffer, data.memoryOffset, size);
}
