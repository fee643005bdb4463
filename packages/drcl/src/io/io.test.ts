import { describe, expect, it } from 'vitest';
import { readNpy } from '../test-support.ts';
import { decodeBundle, encodeBundle, joinArrays, splitArrays } from './bundle.ts';
import { parseNpy, serializeNpy, toFloat32 } from './npy.ts';

describe('.npy', () => {
  it('round-trips float32 and int32 arrays', () => {
    const f = { dtype: '<f4' as const, shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) };
    const back = parseNpy(serializeNpy(f));
    expect(back.shape).toEqual([2, 3]);
    expect(Array.from(back.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
    const i = { dtype: '<i4' as const, shape: [3], data: Int32Array.from([7, -1, 9]) };
    expect(Array.from(parseNpy(serializeNpy(i)).data as Int32Array)).toEqual([7, -1, 9]);
  });

  it('reads a Fortran-ordered file into row-major order', () => {
    // A 2×3 Fortran-ordered file stores columns: [1,4],[2,5],[3,6].
    const bytes = serializeNpy({
      dtype: '<f4',
      shape: [2, 3],
      data: Float32Array.from([1, 4, 2, 5, 3, 6]),
    });
    const text = new TextDecoder('latin1').decode(bytes);
    const fortran = new TextEncoder().encode(
      text.replace("'fortran_order': False", "'fortran_order': True "),
    );
    // TextEncoder would re-encode bytes ≥ 0x80; rebuild the file from the original binary body.
    const out = new Uint8Array(bytes);
    out.set(fortran.subarray(10, 10 + 64), 10);
    expect(Array.from(parseNpy(out).data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('reads the Wikipedia features with the documented shapes, rows as stored by NumPy', () => {
    const image = readNpy('wikipedia-classic', 'train_image.npy');
    expect(image.shape).toEqual([2173, 128]);
    const x = toFloat32(image);
    // SIFT bag-of-words histograms are non-negative.
    expect(x.every((v) => v >= 0)).toBe(true);
  });
});

describe('bundles (bytes + JSON)', () => {
  it('round-trip nested typed arrays and plain values, split and packed', () => {
    const value = {
      name: 'x',
      nested: [{ a: Float32Array.from([1.5, -2]) }, { b: Float64Array.from([Math.PI]) }],
      ids: Int32Array.from([3, 4, 5]),
      n: null,
    };
    const back = decodeBundle(encodeBundle(value)) as typeof value;
    expect(back.name).toBe('x');
    expect(Array.from(back.nested[0]!.a!)).toEqual([1.5, -2]);
    expect(back.nested[1]!.b![0]).toBe(Math.PI);
    expect(Array.from(back.ids)).toEqual([3, 4, 5]);
    expect(back.n).toBeNull();
    const split = splitArrays(value);
    expect(JSON.parse(split.json)).toHaveProperty('arrays');
    expect((joinArrays(split.json, split.bytes) as typeof value).ids[2]).toBe(5);
  });
});
