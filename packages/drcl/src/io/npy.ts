// Minimal NumPy .npy (format 1.0–3.0) reader and writer: little-endian, the dtypes DRCL data uses
// (float32, float64, int32, int64, uint8, bool). Fortran-ordered arrays (as some shipped files
// are) are transposed to C order on read; `parseNpy` always returns C (row-major) order.

export type NpyData = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;

export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  data: NpyData;
}

export type NpyDtype = '<f4' | '<f8' | '<i4' | '<i8' | '|u1' | '|b1';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const BYTES: Record<NpyDtype, number> = {
  '<f4': 4,
  '<f8': 8,
  '<i4': 4,
  '<i8': 8,
  '|u1': 1,
  '|b1': 1,
};

export function parseNpy(bytes: Uint8Array): NpyArray {
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) throw new Error('not a .npy file (bad magic)');
  }
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const header = new TextDecoder('latin1').decode(
    bytes.subarray(headerStart, headerStart + headerLen),
  );
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new Error(`unreadable .npy header: ${header}`);
  }
  const dtype = normaliseDtype(descr);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const start = headerStart + headerLen;
  const size = count * BYTES[dtype];
  if (bytes.byteLength < start + size) throw new Error('.npy file is truncated');
  // An explicit copy: a Node Buffer's slice() is a view into a shared, unaligned pool.
  const body = new Uint8Array(size);
  body.set(bytes.subarray(start, start + size));
  const data = typedArray(dtype, body.buffer, count);
  return { dtype, shape, data: fortran === 'True' ? fortranToC(data, shape) : data };
}

/** Reorders a column-major array of any rank into row-major order. */
function fortranToC<T extends NpyData>(data: T, shape: number[]): T {
  if (shape.length < 2) return data;
  const out = data.slice() as T;
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  for (let c = 0; c < data.length; c++) {
    // index = multi-index of C-order position c; Fortran offset = Σ index_k · Π_{j<k} shape_j.
    let f = 0;
    let stride = 1;
    for (let k = 0; k < rank; k++) {
      f += index[k]! * stride;
      stride *= shape[k]!;
    }
    out[c] = data[f]!;
    for (let k = rank - 1; k >= 0; k--) {
      index[k]! += 1;
      if (index[k]! < shape[k]!) break;
      index[k] = 0;
    }
  }
  return out;
}

function normaliseDtype(descr: string): NpyDtype {
  const d = descr.replace(/^=/, '<');
  if (d === '<f4' || d === '<f8' || d === '<i4' || d === '<i8' || d === '|u1' || d === '|b1') {
    return d;
  }
  if (d === '<u1' || d === 'u1') return '|u1';
  throw new Error(`unsupported .npy dtype ${descr}`);
}

function typedArray(dtype: NpyDtype, buffer: ArrayBufferLike, count: number): NpyData {
  switch (dtype) {
    case '<f4':
      return new Float32Array(buffer, 0, count);
    case '<f8':
      return new Float64Array(buffer, 0, count);
    case '<i4':
      return new Int32Array(buffer, 0, count);
    case '<i8':
      return new BigInt64Array(buffer, 0, count);
    case '|u1':
    case '|b1':
      return new Uint8Array(buffer, 0, count);
  }
}

export function serializeNpy(array: NpyArray): Uint8Array {
  const shape = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(', ')})`;
  let header = `{'descr': '${array.dtype}', 'fortran_order': False, 'shape': ${shape}, }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + array.data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(
    new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength),
    10 + header.length,
  );
  return out;
}

/** Any numeric .npy as float32 (features, embeddings). */
export function toFloat32(array: NpyArray): Float32Array {
  if (array.data instanceof Float32Array) return array.data;
  if (array.data instanceof BigInt64Array) return Float32Array.from(array.data, Number);
  return Float32Array.from(array.data);
}

/** Any integer .npy as int32 (class ids, site ids). */
export function toInt32(array: NpyArray): Int32Array {
  if (array.data instanceof Int32Array) return array.data;
  if (array.data instanceof BigInt64Array) return Int32Array.from(array.data, Number);
  return Int32Array.from(array.data);
}
