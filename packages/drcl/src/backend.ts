// Chooses the TensorFlow.js backend: tfjs-node when it loads (native TensorFlow), else WASM with
// SIMD from the installed package's own binaries (nothing downloads). The pure-JS cpu backend is
// ~40× slower and is refused for training unless the caller explicitly allows it.
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import './tf-gradients.ts';
import { installBlasMatMul, setBlasMatMulEnabled } from './blas/blas-kernels.ts';
import { loadOpenBlas } from './blas/openblas.ts';
import { installFastWasmMatMul } from './wasm-matmul.ts';

/** 'wasm+openblas': the WASM backend with its matrix products on native OpenBLAS. */
export type BackendName = 'tensorflow' | 'wasm+openblas' | 'wasm' | 'cpu';

export interface BackendInfo {
  name: BackendName;
  simd: boolean;
  /** Threads of the backend's own kernels (WASM: 1). */
  threads: number;
  /** The native BLAS behind the matrix products, when one is in use. */
  blas?: { library: string; coreName: string; threads: number };
  /** Why a preferred backend was not used (e.g. tfjs-node is not installed). */
  notes: string[];
}

export interface BackendOptions {
  /** 'auto' = tensorflow if it loads, else wasm. */
  prefer?: 'auto' | BackendName;
  /** Permit the pure-JS cpu backend (only for tiny tests; never silently). */
  allowCpu?: boolean;
  /** WASM: route transposed matMuls through XNNPACK (default true; false only to measure). */
  fastTransposedMatMul?: boolean;
  /**
   * WASM: run matrix products on OpenBLAS (Debian's libopenblas0-pthread) when it loads
   * (default true). Without it the WASM kernels run, and `notes` says why.
   */
  openblas?: boolean;
  /** OpenBLAS threads (default: available parallelism; 1 per process when processes share cores). */
  blasThreads?: number;
}

const TFJS_NODE = '@tensorflow/tfjs-node';

export async function initBackend(options: BackendOptions = {}): Promise<BackendInfo> {
  const prefer = options.prefer ?? 'auto';
  const notes: string[] = [];
  if (prefer === 'auto' || prefer === 'tensorflow') {
    try {
      await import(TFJS_NODE);
      if (await tf.setBackend('tensorflow')) {
        await tf.ready();
        return { name: 'tensorflow', simd: true, threads: 0, notes };
      }
      notes.push('tfjs-node loaded but its backend did not initialise');
    } catch (error) {
      notes.push(`tfjs-node unavailable: ${firstLine(error)}`);
    }
    if (prefer === 'tensorflow') throw new Error(notes.join('; '));
  }
  if (prefer === 'auto' || prefer === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
    // The threaded build spawns Web Workers from blob: URLs, which Node's worker_threads rejects
    // (ERR_WORKER_PATH), so the single-threaded SIMD binary is the one that works in Node.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    wasm.setWasmPaths(`${path.join(dir, 'dist')}${path.sep}`);
    if (await tf.setBackend('wasm')) {
      await tf.ready();
      if (options.fastTransposedMatMul ?? true) installFastWasmMatMul();
      const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
      const threads = wasm.getThreadsCount();
      if (options.openblas ?? true) {
        try {
          const blas = loadOpenBlas(
            options.blasThreads === undefined ? {} : { threads: options.blasThreads },
          );
          installBlasMatMul(blas);
          const info = { library: blas.config, coreName: blas.coreName, threads: blas.threads() };
          return { name: 'wasm+openblas', simd, threads, blas: info, notes };
        } catch (error) {
          notes.push(`OpenBLAS unavailable, matrix products on WASM: ${firstLine(error)}`);
        }
      }
      setBlasMatMulEnabled(false);
      return { name: 'wasm', simd, threads, notes };
    }
    notes.push('wasm backend did not initialise');
    if (prefer === 'wasm') throw new Error(notes.join('; '));
  }
  if (!options.allowCpu) {
    throw new Error(`no fast TensorFlow.js backend available (${notes.join('; ')})`);
  }
  await import('@tensorflow/tfjs-backend-cpu');
  await tf.setBackend('cpu');
  await tf.ready();
  notes.push('running on the pure-JS cpu backend (explicitly allowed)');
  return { name: 'cpu', simd: false, threads: 1, notes };
}

/** Throws unless the active backend is fit for training (cpu only when allowed). */
export function assertTrainingBackend(allowCpu = false): void {
  const name = tf.getBackend();
  if (name === 'cpu' && !allowCpu) {
    throw new Error(
      'refusing to train on the pure-JS cpu backend; call initBackend() or pass allowCpuBackend',
    );
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}
