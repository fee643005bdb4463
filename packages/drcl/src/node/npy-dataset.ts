// Loads a DRCL dataset from a folder of .npy files (Node only: reads files). Naming convention,
// for every modality M and split S ∈ {train, val, test}:
//   S_M.npy                          features (count×dim, float)
//   S_labels_M.npy | S_labels.npy    class ids (count, int) or multi-hot (count×C)
//   S_sites_M.npy  | S_sites.npy     optional site ids (count, int)
// `validationFromTest: n` takes the first n test rows as validation (the Wikipedia protocol).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type DrclDataset, type LabelledSplit, oneHot } from '../data.ts';
import { type NpyArray, parseNpy, serializeNpy, toFloat32, toInt32 } from '../io/npy.ts';

export interface NpyDatasetOptions {
  dir: string;
  modalities: string[];
  /** Number of classes; default: from the labels (max id + 1, or the multi-hot width). */
  numClasses?: number;
  validationFromTest?: number;
}

export interface NpyDataset {
  dataset: DrclDataset;
  /** Test split per modality (empty when there are no test files). */
  test: Record<string, LabelledSplit>;
}

type Split = 'train' | 'val' | 'test';

export function readNpyFile(file: string): NpyArray {
  return parseNpy(readFileSync(file));
}

export function writeNpyFile(file: string, data: Float32Array, shape: number[]): void {
  writeFileSync(file, serializeNpy({ dtype: '<f4', shape, data }));
}

export function loadNpyDataset(options: NpyDatasetOptions): NpyDataset {
  const { dir, modalities } = options;
  const file = (name: string) => path.join(dir, `${name}.npy`);
  const pick = (...names: string[]) => names.map(file).find((f) => existsSync(f)) ?? null;
  const rawLabels = (split: Split, m: string) => {
    const f = pick(`${split}_labels_${m}`, `${split}_labels`);
    return f ? readNpyFile(f) : null;
  };
  let numClasses = options.numClasses ?? 0;
  if (!numClasses) {
    for (const m of modalities) {
      for (const split of ['train', 'val', 'test'] as const) {
        const l = rawLabels(split, m);
        if (!l) continue;
        const width =
          l.shape.length === 2 ? l.shape[1]! : toInt32(l).reduce((a, b) => Math.max(a, b), 0) + 1;
        numClasses = Math.max(numClasses, width);
      }
    }
  }
  const load = (split: Split, m: string): LabelledSplit | null => {
    const featuresFile = pick(`${split}_${m}`);
    if (!featuresFile) return null;
    const x = readNpyFile(featuresFile);
    const l = rawLabels(split, m);
    if (!l) throw new Error(`${featuresFile} has no ${split}_labels(_${m}).npy beside it`);
    const labels = l.shape.length === 2 ? toFloat32(l) : oneHot(toInt32(l), numClasses);
    const sitesFile = pick(`${split}_sites_${m}`, `${split}_sites`);
    return {
      features: toFloat32(x),
      dim: x.shape.length === 2 ? x.shape[1]! : 1,
      labels,
      ...(sitesFile ? { siteIds: toInt32(readNpyFile(sitesFile)) } : {}),
    };
  };
  const test: Record<string, LabelledSplit> = {};
  const dataset: DrclDataset = {
    numClasses,
    modalities: modalities.map((name) => {
      const train = load('train', name);
      if (!train) throw new Error(`missing ${file(`train_${name}`)}`);
      let validation = load('val', name);
      const testSplit = load('test', name);
      if (testSplit && options.validationFromTest && !validation) {
        const [head, rest] = splitRows(testSplit, numClasses, options.validationFromTest);
        validation = head;
        test[name] = rest;
      } else if (testSplit) {
        test[name] = testSplit;
      }
      return { name, train, ...(validation ? { validation } : {}) };
    }),
  };
  return { dataset, test };
}

/** The first n rows and the rest. */
export function splitRows(
  split: LabelledSplit,
  numClasses: number,
  n: number,
): [LabelledSplit, LabelledSplit] {
  const count = split.labels.length / numClasses;
  const cut = Math.min(n, count);
  const part = (from: number, to: number): LabelledSplit => ({
    features: split.features.slice(from * split.dim, to * split.dim),
    dim: split.dim,
    labels: split.labels.slice(from * numClasses, to * numClasses),
    ...(split.siteIds ? { siteIds: split.siteIds.slice(from, to) } : {}),
  });
  return [part(0, cut), part(cut, count)];
}
