/**
 * NumPy `.npy` reader and writer (format versions 1.0–3.0, see numpy.lib.format). Reads
 * little- and big-endian float16/32/64, signed/unsigned 8–64-bit integers and bool, in C or
 * Fortran order; data is returned in C (row-major) order as float64 or the integer values.
 */
export interface NpyArray {
  descr: string;
  shape: number[];
  /** Row-major values. 64-bit integers beyond 2^53 lose precision. */
  data: Float64Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

function parseHeader(text: string): { descr: string; fortran: boolean; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined)
    throw new Error(`malformed .npy header: ${text.trim()}`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const n = Number(s.replace(/L$/, ''));
      if (!Number.isSafeInteger(n) || n < 0) throw new Error(`bad .npy shape ${shapeText}`);
      return n;
    });
  return { descr, fortran: fortran === 'True', shape };
}

type Reader = (view: DataView, offset: number, little: boolean) => number;

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f === 0 ? s * Infinity : NaN;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

const READERS: Record<string, [number, Reader]> = {
  f2: [2, (v, o, l) => halfToFloat(v.getUint16(o, l))],
  f4: [4, (v, o, l) => v.getFloat32(o, l)],
  f8: [8, (v, o, l) => v.getFloat64(o, l)],
  i1: [1, (v, o) => v.getInt8(o)],
  u1: [1, (v, o) => v.getUint8(o)],
  b1: [1, (v, o) => v.getUint8(o)],
  i2: [2, (v, o, l) => v.getInt16(o, l)],
  u2: [2, (v, o, l) => v.getUint16(o, l)],
  i4: [4, (v, o, l) => v.getInt32(o, l)],
  u4: [4, (v, o, l) => v.getUint32(o, l)],
  i8: [8, (v, o, l) => Number(v.getBigInt64(o, l))],
  u8: [8, (v, o, l) => Number(v.getBigUint64(o, l))],
};

export interface NpyHeader {
  descr: string;
  shape: number[];
  fortranOrder: boolean;
  /** Byte offset of the data section. */
  dataOffset: number;
  itemSize: number;
  /** Reads the element at a byte offset of a view over the file (or a chunk of it). */
  read: (view: DataView, offset: number) => number;
}

/**
 * Parses the header from the first bytes of a `.npy` file (at least 12 + header length bytes;
 * 64 KiB is always enough for the header of a 2-D array).
 */
export function parseNpyHeader(bytes: Uint8Array): NpyHeader {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b))
    throw new Error('not a .npy file (bad magic)');
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let headerStart: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    headerLen = view.getUint32(8, true);
    headerStart = 12;
  } else throw new Error(`unsupported .npy version ${major}`);
  if (bytes.length < headerStart + headerLen) throw new Error('truncated .npy header');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(
    bytes.subarray(headerStart, headerStart + headerLen),
  );
  const { descr, fortran, shape } = parseHeader(header);
  const m = /^([<>|=])([fiub])(\d+)$/.exec(descr);
  const reader = m ? READERS[`${m[2]}${m[3]}`] : undefined;
  if (!m || !reader) throw new Error(`unsupported .npy dtype ${descr}`);
  const little = m[1] !== '>';
  const [itemSize, read] = reader;
  return {
    descr,
    shape,
    fortranOrder: fortran,
    dataOffset: headerStart + headerLen,
    itemSize,
    read: (v, o) => read(v, o, little),
  };
}

export function parseNpy(bytes: Uint8Array): NpyArray {
  const h = parseNpyHeader(bytes);
  const { shape, itemSize: size, dataOffset: dataStart } = h;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = shape.reduce((a, b) => a * b, 1);
  if (bytes.length - dataStart < count * size)
    throw new Error(
      `truncated .npy: expected ${count * size} data bytes, found ${bytes.length - dataStart}`,
    );
  const data = new Float64Array(count);
  if (!h.fortranOrder || shape.length < 2) {
    for (let i = 0; i < count; i++) data[i] = h.read(view, dataStart + i * size);
  } else {
    // Fortran order: the first index varies fastest. Convert to row-major.
    const strides = shape.map((_, d) => shape.slice(0, d).reduce((a, b) => a * b, 1));
    const idx = new Array<number>(shape.length).fill(0);
    for (let c = 0; c < count; c++) {
      let f = 0;
      for (let d = 0; d < shape.length; d++) f += idx[d]! * strides[d]!;
      data[c] = h.read(view, dataStart + f * size);
      for (let d = shape.length - 1; d >= 0; d--) {
        idx[d]!++;
        if (idx[d]! < shape[d]!) break;
        idx[d] = 0;
      }
    }
  }
  return { descr: h.descr, shape, data };
}

/** Writes rows of equal length as a little-endian float32 C-order `.npy` (format 1.0). */
export function writeNpyFloat32(rows: readonly Float32Array[], dims: number): Uint8Array {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows.length}, ${dims}), }`;
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 11, ' ') + '\n';
  const out = new Uint8Array(total + rows.length * dims * 4);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  rows.forEach((r, i) => {
    if (r.length !== dims) throw new Error(`row ${i} has ${r.length} values, expected ${dims}`);
    for (let j = 0; j < dims; j++) view.setFloat32(total + (i * dims + j) * 4, r[j]!, true);
  });
  return out;
}
