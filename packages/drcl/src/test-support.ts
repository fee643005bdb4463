// Helpers shared by the unit tests: real data from shared/datasets and numeric comparison.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NpyArray, parseNpy } from './io/npy.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
/** shared/datasets beside the repository checkout (…/work/main → …/work/shared/datasets). */
export const DATASETS = path.resolve(here, '../../../../shared/datasets');

export function readNpy(...parts: string[]): NpyArray {
  return parseNpy(readFileSync(path.join(DATASETS, ...parts)));
}

export function readJson<T>(...parts: string[]): T {
  return JSON.parse(readFileSync(path.join(DATASETS, ...parts), 'utf8')) as T;
}

/** Largest |a_i − b_i|. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} ≠ ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

export function flat(rows: number[][]): Float32Array {
  return Float32Array.from(rows.flat());
}
