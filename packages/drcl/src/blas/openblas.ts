// OpenBLAS (Debian's libopenblas0-pthread: multi-threaded, AVX-512 kernels) called synchronously
// through koffi, an FFI library whose npm package ships prebuilt binaries as optional platform
// packages (no install script runs). Float32Arrays passed to `sgemm` go to C as pointers to their
// contents (no copy), so views into the WASM heap work in place.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import type * as Koffi from 'koffi';

/** Row-major single-precision GEMM: C = alpha·op(A)·op(B) + beta·C. */
export type Sgemm = (
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float32Array,
  lda: number,
  b: Float32Array,
  ldb: number,
  beta: number,
  c: Float32Array,
  ldc: number,
) => void;

export interface OpenBlas {
  sgemm: Sgemm;
  setThreads(threads: number): void;
  threads(): number;
  /** e.g. "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY SkylakeX MAX_THREADS=64". */
  config: string;
  /** The kernel family OpenBLAS runs (SkylakeX, Haswell, …). */
  coreName: string;
}

export interface OpenBlasOptions {
  /** Library names tried in order (default: Debian's libopenblas.so.0). */
  libraries?: readonly string[];
  /** Threads for OpenBLAS (default: the machine's available parallelism). */
  threads?: number;
  /**
   * OpenBLAS kernel family. Debian's build picks it from the CPU model and falls back to its
   * slowest kernels (Prescott) on models it does not know — e.g. this machine's AVX-512 Xeon ran
   * at 23 GFLOPS instead of 197. 'auto' (default) picks it from the CPU's flags (SkylakeX with
   * AVX-512, Haswell with AVX2+FMA) unless OPENBLAS_CORETYPE is already set; 'library' leaves
   * the choice to OpenBLAS; any other value is an OpenBLAS core name.
   */
  coreType?: string;
}

const DEFAULT_LIBRARIES = ['libopenblas.so.0', 'libopenblas.so'];
const CORETYPE_VARIABLE = 'OPENBLAS_CORETYPE';
const CBLAS_ROW_MAJOR = 101;
const CBLAS_NO_TRANS = 111;
const CBLAS_TRANS = 112;

let loaded: OpenBlas | null = null;

/** Loads OpenBLAS once per process; throws with the reason when it cannot. */
export function loadOpenBlas(options: OpenBlasOptions = {}): OpenBlas {
  if (loaded) {
    if (options.threads !== undefined) loaded.setThreads(options.threads);
    return loaded;
  }
  const require = createRequire(import.meta.url);
  const koffi = require('koffi') as typeof Koffi;
  selectCoreType(koffi, options.coreType ?? 'auto');
  const errors: string[] = [];
  let lib: ReturnType<typeof koffi.load> | null = null;
  for (const name of options.libraries ?? DEFAULT_LIBRARIES) {
    try {
      lib = koffi.load(name);
      break;
    } catch (error) {
      errors.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (!lib) throw new Error(`OpenBLAS not found (${errors.join('; ')})`);
  const cblasSgemm = lib.func(
    'void cblas_sgemm(int, int, int, int, int, int, float, float *, int, float *, int, float, float *, int)',
  );
  const setThreads = lib.func('void openblas_set_num_threads(int)');
  const getThreads = lib.func('int openblas_get_num_threads()');
  const getConfig = lib.func('const char *openblas_get_config()');
  const getCoreName = lib.func('const char *openblas_get_corename()');
  const blas: OpenBlas = {
    sgemm: (transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) => {
      cblasSgemm(
        CBLAS_ROW_MAJOR,
        transA ? CBLAS_TRANS : CBLAS_NO_TRANS,
        transB ? CBLAS_TRANS : CBLAS_NO_TRANS,
        m,
        n,
        k,
        alpha,
        a,
        lda,
        b,
        ldb,
        beta,
        c,
        ldc,
      );
    },
    setThreads: (threads) => {
      setThreads(Math.max(1, Math.floor(threads)));
    },
    threads: () => Number(getThreads()),
    config: String(getConfig()),
    coreName: String(getCoreName()),
  };
  blas.setThreads(options.threads ?? os.availableParallelism());
  loaded = blas;
  return blas;
}

/**
 * OpenBLAS reads OPENBLAS_CORETYPE once, when the library loads; it has no API for it. The variable
 * is set with libc's setenv, not through process.env: a worker thread's process.env is a copy that
 * native code never sees. A value the user set is kept.
 */
function selectCoreType(koffi: typeof Koffi, coreType: string): void {
  if (coreType === 'library') return;
  let libc: ReturnType<typeof koffi.load>;
  try {
    libc = koffi.load('libc.so.6');
  } catch {
    return; // not glibc: let OpenBLAS decide
  }
  const getenv = libc.func('const char *getenv(const char *)');
  const setenv = libc.func('int setenv(const char *, const char *, int)');
  if (getenv(CORETYPE_VARIABLE) !== null) return;
  const chosen = coreType === 'auto' ? coreTypeFromCpuFlags() : coreType;
  if (chosen) setenv(CORETYPE_VARIABLE, chosen, 0);
}

function coreTypeFromCpuFlags(): string | null {
  let flags: Set<string>;
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('flags'));
    flags = new Set((line?.split(':')[1] ?? '').trim().split(/\s+/));
  } catch {
    return null; // not Linux: let OpenBLAS decide
  }
  const has = (...names: string[]) => names.every((n) => flags.has(n));
  if (has('avx512f', 'avx512bw', 'avx512vl', 'avx512dq', 'avx512cd')) return 'SkylakeX';
  if (has('avx2', 'fma')) return 'Haswell';
  return null;
}
