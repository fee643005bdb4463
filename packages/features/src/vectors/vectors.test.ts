import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED_DATASETS, fixture } from '../test-paths.ts';
import { parseNpy, writeNpyFloat32 } from './npy.ts';
import { readNpyVectors, readVectorFile } from './import.ts';
import { streamVectorFile } from './stream.ts';
import { parseCsvVectors } from './csv.ts';
import { parseJsonlVectors } from './jsonl.ts';
import type { VectorRow } from './rows.ts';

const WIKI = join(SHARED_DATASETS, 'wikipedia-classic');
const WIKI_CLASSES =
  'art biology geography history literature media music royalty sport warfare'.split(' ');

function summary(rows: VectorRow[]): string[] {
  return rows.map((r) => (r.ok ? `${r.row}:ok` : `${r.row}:${r.error.code}`));
}

describe('.npy', () => {
  it('reads a hand-written float32 array (value[i][j] = i + j/10)', () => {
    const arr = parseNpy(readFileSync(fixture('vectors', 'good.npy')));
    expect(arr.shape).toEqual([4, 3]);
    expect(arr.descr).toBe('<f4');
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < 3; j++)
        expect(Math.abs(arr.data[i * 3 + j]! - (i + j / 10))).toBeLessThan(1e-6);
  });

  it('writes the same bytes as the hand-written file', () => {
    const rows = [0, 1, 2, 3].map((i) => Float32Array.from([0, 1, 2], (j) => i + j / 10));
    expect(
      Buffer.from(writeNpyFloat32(rows, 3)).equals(readFileSync(fixture('vectors', 'good.npy'))),
    ).toBe(true);
  });

  it('reads the real Wikipedia benchmark features and labels', () => {
    const text = parseNpy(readFileSync(join(WIKI, 'test_text.npy')));
    expect(text.shape).toEqual([693, 10]);
    // LDA topic proportions: every row sums to 1 (float32 rounding: 1e-4).
    for (let i = 0; i < 693; i++) {
      let s = 0;
      for (let j = 0; j < 10; j++) s += text.data[i * 10 + j]!;
      expect(Math.abs(s - 1)).toBeLessThan(1e-4);
    }
    const rows = [
      ...readNpyVectors(readFileSync(join(WIKI, 'test_text.npy')), {
        labels: readFileSync(join(WIKI, 'test_labels.npy')),
        classNames: WIKI_CLASSES,
        dims: 10,
      }),
    ];
    expect(rows).toHaveLength(693);
    expect(
      rows.every((r) => r.ok && r.labels.length === 1 && WIKI_CLASSES.includes(r.labels[0]!)),
    ).toBe(true);
    // The first test label is 1 = biology (checked with NumPy).
    expect(rows[0]!.ok && rows[0]!.labels).toEqual(['biology']);
  });

  it('gives a per-row error for NaN, and for every row when the dimension is wrong', () => {
    const nan = [...readNpyVectors(readFileSync(fixture('vectors', 'nan-row.npy')))];
    expect(summary(nan)).toEqual(['1:ok', '2:ok', '3:BAD_VECTOR']);
    expect(!nan[2]!.ok && nan[2]!.error.message).toBe('row 3: value 1 is NaN, not a finite number');
    const wrong = [...readNpyVectors(readFileSync(fixture('vectors', 'good.npy')), { dims: 5 })];
    expect(summary(wrong)).toEqual([
      '1:BAD_VECTOR',
      '2:BAD_VECTOR',
      '3:BAD_VECTOR',
      '4:BAD_VECTOR',
    ]);
  });

  it('gives each row the sha256 of its float32 little-endian bytes (the import idempotency key)', () => {
    const bytes = readFileSync(fixture('vectors', 'good.npy'));
    const rows = [...readNpyVectors(bytes)];
    // The .npy data section is exactly those bytes, row after row (header padded to 128 bytes).
    const data = bytes.subarray(bytes.length - 4 * 3 * 4);
    rows.forEach((r, i) => {
      const expected = createHash('sha256')
        .update(data.subarray(i * 12, (i + 1) * 12))
        .digest('hex');
      expect(r.ok && r.checksum).toBe(expected);
    });
  });

  it('streams a file in chunks of rows with the same rows as reading it whole', async () => {
    for (const [path, chunkRows] of [
      [fixture('vectors', 'good.npy'), 3],
      [fixture('vectors', 'nan-row.npy'), 2],
      [join(WIKI, 'test_image.npy'), 100],
    ] as const) {
      const whole = [...readNpyVectors(readFileSync(path))];
      const streamed = [];
      for await (const row of streamVectorFile(path, { chunkRows })) streamed.push(row);
      // Checksums cover every value of every row bit for bit.
      const key = (r: VectorRow) => `${r.row}:${r.ok ? r.checksum : r.error.message}`;
      expect(streamed.map(key)).toEqual(whole.map(key));
    }
  });

  it('rejects a truncated file', () => {
    const bytes = readFileSync(fixture('vectors', 'good.npy'));
    expect(() => parseNpy(bytes.subarray(0, bytes.length - 4))).toThrow(/truncated/);
  });
});

describe('JSONL and CSV feature files', () => {
  it('JSONL: wrong dimension, NaN and non-JSON lines are per-row errors; good rows keep labels and site', async () => {
    const rows = [...parseJsonlVectors(readFileSync(fixture('vectors', 'mixed.jsonl'), 'utf8'))];
    // Streaming the file gives the same rows.
    expect(await readVectorFile(fixture('vectors', 'mixed.jsonl'))).toEqual(rows);
    expect(summary(rows)).toEqual(['1:ok', '2:BAD_VECTOR', '3:BAD_VECTOR', '4:BAD_RECORD', '5:ok']);
    const last = rows[4]!;
    expect(
      last.ok && { id: last.id, labels: last.labels, site: last.site, v: Array.from(last.vector) },
    ).toEqual({
      id: 'd',
      labels: ['cat', 'dog'],
      site: 'south',
      v: [0.5, 0.5, 0.5],
    });
  });

  it('CSV: short rows, Infinity and non-numbers are per-row errors; metadata columns are not features', async () => {
    const rows = await readVectorFile(fixture('vectors', 'mixed.csv'));
    expect(summary(rows)).toEqual(['1:ok', '2:BAD_VECTOR', '3:BAD_VECTOR', '4:ok', '5:BAD_VECTOR']);
    const first = rows[0]!;
    expect(
      first.ok && { labels: first.labels, site: first.site, v: Array.from(first.vector) },
    ).toEqual({
      labels: ['cat'],
      site: 'north',
      v: [1, 0, 0],
    });
    expect(rows[3]!.ok && rows[3]!.labels).toEqual(['cat', 'dog']);
    // An explicit expected dimension applies to CSV too.
    expect(summary(await parseCsvVectors('f0,f1\n1,2\n', { dims: 3 }))).toEqual(['1:BAD_VECTOR']);
  });
});
