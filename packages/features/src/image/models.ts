import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readFile, readdir } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { loadLayersModel, model as functionalModel } from '@tensorflow/tfjs-layers';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { sha256Hex } from '../checksum.ts';

const require = createRequire(import.meta.url);

/** The pretrained CNNs whose weights ship inside `nsfwjs@4.4.0` (MIT); nothing is downloaded. */
export const BUILTIN_CNNS = {
  mobilenet_v2: {
    folder: 'mobilenet_v2',
    shards: ['group1-shard1of1'],
    inputSize: 224,
    layer: 'flatten_1',
    dims: 1280,
  },
  inception_v3: {
    folder: 'inception_v3',
    shards: [1, 2, 3, 4, 5, 6].map((i) => `group1-shard${i}of6`),
    inputSize: 299,
    layer: 'flatten_1',
    dims: 2048,
  },
} as const;

export type BuiltinCnnId = keyof typeof BUILTIN_CNNS;

export const NSFWJS_VERSION = '4.4.0';

interface KerasModelJson {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

function resolveNsfwjsDir(): string {
  // `nsfwjs` resolves to dist/cjs/index.js; the model files live in dist/models/<name>/ as CommonJS
  // modules (Keras topology object, base64 weight shards). Absolute paths bypass its exports map.
  return join(dirname(require.resolve('nsfwjs')), '..', 'models');
}

/** Loads one of nsfwjs's bundled Keras models from the installed package files. */
export async function loadBuiltinModel(id: BuiltinCnnId): Promise<LayersModel> {
  const spec = BUILTIN_CNNS[id];
  const dir = join(resolveNsfwjsDir(), spec.folder);
  const json = require(join(dir, 'model.min.js')) as KerasModelJson;
  const shards = spec.shards.map((s) =>
    Buffer.from(require(join(dir, `${s}.min.js`)) as string, 'base64'),
  );
  const weightData = concatBytes(shards);
  const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
  return loadLayersModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData }),
  );
}

function concatBytes(parts: Uint8Array[]): ArrayBuffer {
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out.buffer;
}

/** A sub-model ending at `layerName` (e.g. the pooled features before the classifier head). */
export function truncateAt(model: LayersModel, layerName: string): LayersModel {
  const layer = model.getLayer(layerName);
  return functionalModel({ inputs: model.inputs, outputs: layer.output });
}

export type LoadedUserModel =
  | { format: 'layers-model'; model: LayersModel; fingerprint: string }
  | { format: 'graph-model'; model: GraphModel; fingerprint: string };

/**
 * Loads a TF.js model (layers or graph format) from a local folder holding `model.json` and its
 * weight shards. The fingerprint (sha256 of model.json and every shard) versions the features.
 */
export async function loadUserModel(folder: string): Promise<LoadedUserModel> {
  const jsonPath = join(folder, 'model.json');
  const jsonText = await readFile(jsonPath, 'utf8');
  const json = JSON.parse(jsonText) as {
    format?: string;
    modelTopology?: unknown;
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  const files = new Set(await readdir(folder));
  const shards: Uint8Array[] = [];
  for (const group of json.weightsManifest) {
    for (const p of group.paths) {
      if (!files.has(p)) throw new Error(`weight shard ${p} listed in model.json is missing`);
      shards.push(await readFile(join(folder, p)));
    }
  }
  const fingerprint = sha256Hex(
    Buffer.concat([Buffer.from(jsonText), ...shards.map((s) => Buffer.from(s))]),
  ).slice(0, 16);
  const handler = tf.io.fromMemory({
    modelTopology: json.modelTopology as object,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: concatBytes(shards),
    ...(json.format !== undefined ? { format: json.format } : {}),
  });
  if (json.format === 'graph-model')
    return { format: 'graph-model', model: await loadGraphModel(handler), fingerprint };
  return { format: 'layers-model', model: await loadLayersModel(handler), fingerprint };
}
