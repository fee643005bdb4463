// Bytes + JSON for models and checkpoints: every typed array inside a plain object is moved to a
// binary blob and replaced by `{ "$array": i }`; the JSON keeps everything else verbatim.
// `encodeBundle` packs both into one self-describing byte array (magic "DRCLBNDL").

type ArrayKind = 'f32' | 'f64' | 'i32' | 'u8';
type Packable = Float32Array | Float64Array | Int32Array | Uint8Array;

interface ArrayRef {
  $array: number;
}

interface ArrayEntry {
  kind: ArrayKind;
  offset: number;
  length: number;
}

export interface SplitBundle {
  /** The JSON document, with `arrays` describing where each typed array lives in `bytes`. */
  json: string;
  bytes: Uint8Array;
}

const MAGIC = 'DRCLBNDL';
const ALIGN = 8;

function kindOf(value: unknown): ArrayKind | null {
  if (value instanceof Float32Array) return 'f32';
  if (value instanceof Float64Array) return 'f64';
  if (value instanceof Int32Array) return 'i32';
  if (value instanceof Uint8Array) return 'u8';
  return null;
}

export function splitArrays(value: unknown): SplitBundle {
  const arrays: Packable[] = [];
  const entries: ArrayEntry[] = [];
  let offset = 0;
  const replace = (v: unknown): unknown => {
    const kind = kindOf(v);
    if (kind !== null) {
      const a = v as Packable;
      entries.push({ kind, offset, length: a.length });
      arrays.push(a);
      offset += Math.ceil(a.byteLength / ALIGN) * ALIGN;
      return { $array: entries.length - 1 } satisfies ArrayRef;
    }
    if (Array.isArray(v)) return v.map(replace);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, replace(x)]));
    }
    return v;
  };
  const doc = replace(value);
  const bytes = new Uint8Array(offset);
  arrays.forEach((a, i) => {
    bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), entries[i]!.offset);
  });
  return { json: JSON.stringify({ arrays: entries, value: doc }), bytes };
}

export function joinArrays(json: string, bytes: Uint8Array): unknown {
  const parsed = JSON.parse(json) as { arrays: ArrayEntry[]; value: unknown };
  let copy = bytes;
  if (bytes.byteOffset % ALIGN !== 0) {
    copy = new Uint8Array(bytes.byteLength); // explicit copy (Buffer.slice would be a view)
    copy.set(bytes);
  }
  const views = parsed.arrays.map((e) => {
    const start = copy.byteOffset + e.offset;
    switch (e.kind) {
      case 'f32':
        return new Float32Array(copy.buffer, start, e.length).slice();
      case 'f64':
        return new Float64Array(copy.buffer, start, e.length).slice();
      case 'i32':
        return new Int32Array(copy.buffer, start, e.length).slice();
      case 'u8':
        return new Uint8Array(copy.buffer, start, e.length).slice();
    }
  });
  const restore = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(restore);
    if (v !== null && typeof v === 'object') {
      if ('$array' in v && typeof v.$array === 'number') return views[v.$array];
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, restore(x)]));
    }
    return v;
  };
  return restore(parsed.value);
}

/** One byte array: magic, u32 JSON length, JSON (UTF-8), padding to 8, array data. */
export function encodeBundle(value: unknown): Uint8Array {
  const { json, bytes } = splitArrays(value);
  const text = new TextEncoder().encode(json);
  const head = MAGIC.length + 4;
  const dataStart = Math.ceil((head + text.length) / ALIGN) * ALIGN;
  const out = new Uint8Array(dataStart + bytes.length);
  for (let i = 0; i < MAGIC.length; i++) out[i] = MAGIC.charCodeAt(i);
  new DataView(out.buffer).setUint32(MAGIC.length, text.length, true);
  out.set(text, head);
  out.set(bytes, dataStart);
  return out;
}

export function decodeBundle(bytes: Uint8Array): unknown {
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC.charCodeAt(i)) throw new Error('not a DRCL bundle (bad magic)');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const jsonLength = view.getUint32(MAGIC.length, true);
  const head = MAGIC.length + 4;
  const json = new TextDecoder().decode(bytes.subarray(head, head + jsonLength));
  const dataStart = Math.ceil((head + jsonLength) / ALIGN) * ALIGN;
  return joinArrays(json, bytes.subarray(dataStart));
}
