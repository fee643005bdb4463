// Training data as plain typed arrays: features row-major, labels multi-hot (count×numClasses).

export interface LabelledSplit {
  /** count×dim, row-major. */
  features: Float32Array;
  dim: number;
  /** count×numClasses, 0/1 (multi-hot for multi-label data). */
  labels: Float32Array;
  /** Optional site id per item (for per-site scores and site×modality prior candidates). */
  siteIds?: Int32Array;
}

export interface ModalityData {
  name: string;
  train: LabelledSplit;
  /** Used for RSC model selection (lowest validation loss); without it the last epoch is kept. */
  validation?: LabelledSplit;
}

export interface DrclDataset {
  numClasses: number;
  modalities: ModalityData[];
}

export function splitCount(split: LabelledSplit, numClasses: number): number {
  return split.labels.length / numClasses;
}

/** One-hot label matrix from class ids 0..numClasses−1. */
export function oneHot(classIds: ArrayLike<number>, numClasses: number): Float32Array {
  const out = new Float32Array(classIds.length * numClasses);
  for (let i = 0; i < classIds.length; i++) {
    const c = classIds[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= numClasses) {
      throw new RangeError(`label ${c} at row ${i} is outside 0..${numClasses - 1}`);
    }
    out[i * numClasses + c] = 1;
  }
  return out;
}

/** Copies the given rows of a row-major matrix. */
export function gatherRows(
  matrix: Float32Array,
  cols: number,
  rows: ArrayLike<number>,
): Float32Array {
  const out = new Float32Array(rows.length * cols);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    out.set(matrix.subarray(r * cols, (r + 1) * cols), i * cols);
  }
  return out;
}

export function validateSplit(split: LabelledSplit, numClasses: number, where: string): number {
  const count = split.labels.length / numClasses;
  if (!Number.isInteger(count)) throw new Error(`${where}: labels are not count×${numClasses}`);
  if (split.features.length !== count * split.dim) {
    throw new Error(
      `${where}: features hold ${split.features.length / split.dim} rows, labels ${count}`,
    );
  }
  if (split.siteIds && split.siteIds.length !== count) {
    throw new Error(`${where}: ${split.siteIds.length} site ids for ${count} items`);
  }
  return count;
}

/** Batches of row indices for one epoch: a fresh permutation, last partial batch dropped. */
export function epochBatches(
  order: Int32Array,
  batchSize: number,
  dropLast: boolean,
): Int32Array[] {
  const out: Int32Array[] = [];
  for (let start = 0; start < order.length; start += batchSize) {
    const end = Math.min(order.length, start + batchSize);
    if (end - start < batchSize && dropLast) break;
    out.push(order.subarray(start, end));
  }
  return out;
}
