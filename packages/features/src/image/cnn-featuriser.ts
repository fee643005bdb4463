import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import { ensureTfBackend } from './backend.ts';
import {
  BUILTIN_CNNS,
  NSFWJS_VERSION,
  loadBuiltinModel,
  loadUserModel,
  truncateAt,
  type BuiltinCnnId,
} from './models.ts';
import type { DecodedImage } from './decode.ts';

export const DEFAULT_IMAGE_FEATURISER: BuiltinCnnId = 'mobilenet_v2';
export const DEFAULT_INFERENCE_BATCH = 32;

/** Pixel scaling applied before the network: `unit` = x/255 (nsfwjs), `symmetric` = x/127.5 − 1. */
export type PixelScaling = 'unit' | 'symmetric';

export interface ImageFeaturiser {
  /** Stable id recorded with every vector, e.g. `nsfwjs/mobilenet_v2` or `user/<name>`. */
  readonly id: string;
  /** Changes whenever the same image could produce a different vector. */
  readonly version: string;
  readonly dims: number;
  /** Side of the square RGB input; decode images with this size. */
  readonly inputSize: number;
  /** One vector per image, in order. Runs in batches of at most `batchSize`; disposes its tensors. */
  featurise(images: readonly DecodedImage[]): Promise<Float32Array[]>;
  dispose(): void;
}

export type ImageFeaturiserArgs =
  | { kind: 'builtin'; model: BuiltinCnnId; batchSize?: number }
  | {
      kind: 'user';
      /** Folder holding model.json + weight shards (TF.js layers or graph format). */
      dir: string;
      /** Name shown in the featuriser id; defaults to the folder's base name. */
      name?: string;
      /** Layers models: take this layer's output instead of the model output. */
      layer?: string;
      /** Graph models: name of the output node; default the model's first output. */
      outputNode?: string;
      scaling?: PixelScaling;
      batchSize?: number;
    };

type Predict = (input: tf.Tensor4D) => tf.Tensor;

class CnnFeaturiser implements ImageFeaturiser {
  constructor(
    readonly id: string,
    readonly version: string,
    readonly dims: number,
    readonly inputSize: number,
    private readonly scaling: PixelScaling,
    private readonly batchSize: number,
    private readonly predict: Predict,
    private readonly disposeModel: () => void,
  ) {}

  featurise(images: readonly DecodedImage[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    const s = this.inputSize;
    for (let start = 0; start < images.length; start += this.batchSize) {
      const batch = images.slice(start, start + this.batchSize);
      const pixels = new Uint8Array(batch.length * s * s * 3);
      batch.forEach((img, i) => {
        if (img.size !== s)
          throw new Error(`image decoded at ${img.size}px but ${this.id} takes ${s}px`);
        pixels.set(img.rgb, i * s * s * 3);
      });
      const features = tf.tidy(() => {
        const raw = tf.cast(tf.tensor4d(pixels, [batch.length, s, s, 3], 'int32'), 'float32');
        const x = this.scaling === 'unit' ? tf.div(raw, 255) : tf.sub(tf.div(raw, 127.5), 1);
        return tf.reshape(this.predict(x as tf.Tensor4D), [batch.length, -1]);
      });
      try {
        if (features.shape[1] !== this.dims)
          throw new Error(
            `${this.id} produced ${features.shape[1]}-d features, expected ${this.dims}`,
          );
        const flat = features.dataSync() as Float32Array;
        for (let i = 0; i < batch.length; i++)
          out.push(flat.slice(i * this.dims, (i + 1) * this.dims));
      } finally {
        features.dispose();
      }
    }
    return Promise.resolve(out);
  }

  dispose(): void {
    this.disposeModel();
  }
}

function layersPredict(m: LayersModel): Predict {
  return (x) => m.predict(x) as tf.Tensor;
}

function outputDims(shape: readonly (number | null)[] | undefined): number {
  const dims = (shape ?? []).slice(1).reduce<number>((n, d) => n * (d ?? NaN), 1);
  if (!Number.isFinite(dims) || dims <= 0)
    throw new Error(`cannot determine feature size from output shape ${JSON.stringify(shape)}`);
  return dims;
}

/**
 * Creates an image featuriser. Built-ins: `mobilenet_v2` (1280-d, layer `flatten_1`, 224 px) and
 * `inception_v3` (2048-d, layer `flatten_1`, 299 px), both from the weights inside nsfwjs@4.4.0.
 * A user model is any TF.js layers or graph model in a local folder.
 */
export async function createImageFeaturiser(
  args: ImageFeaturiserArgs = { kind: 'builtin', model: DEFAULT_IMAGE_FEATURISER },
): Promise<ImageFeaturiser> {
  await ensureTfBackend();
  const batchSize = args.batchSize ?? DEFAULT_INFERENCE_BATCH;
  if (args.kind === 'builtin') {
    const spec = BUILTIN_CNNS[args.model];
    const full = await loadBuiltinModel(args.model);
    const sub = truncateAt(full, spec.layer);
    return new CnnFeaturiser(
      `nsfwjs/${args.model}`,
      `nsfwjs@${NSFWJS_VERSION}:${spec.layer}:${spec.inputSize}px:unit-scale:fill`,
      spec.dims,
      spec.inputSize,
      'unit',
      batchSize,
      layersPredict(sub),
      () => full.dispose(),
    );
  }
  const loaded = await loadUserModel(args.dir);
  const name = args.name ?? args.dir.split('/').filter(Boolean).pop() ?? 'model';
  const scaling = args.scaling ?? 'unit';
  const version = `${loaded.fingerprint}:${args.layer ?? args.outputNode ?? 'output'}:${scaling}`;
  if (loaded.format === 'layers-model') {
    const m = loaded.model;
    const sub = args.layer !== undefined ? truncateAt(m, args.layer) : m;
    const inShape = m.inputs[0]?.shape ?? [];
    const size = inShape[1] ?? 224;
    const outShape = sub.outputs[0]?.shape;
    return new CnnFeaturiser(
      `user/${name}`,
      version,
      outputDims(outShape),
      size,
      scaling,
      batchSize,
      layersPredict(sub),
      () => m.dispose(),
    );
  }
  const g: GraphModel = loaded.model;
  const inShape = g.inputs[0]?.shape ?? [];
  const size = inShape[1] !== undefined && inShape[1] > 0 ? inShape[1] : 224;
  const node = args.outputNode ?? g.outputNodes[0];
  if (node === undefined) throw new Error('graph model has no output node');
  const predict: Predict = (x) => g.execute(x, node) as tf.Tensor;
  // Graph models rarely declare their output shape: probe once with a blank image.
  const dims = tf.tidy(() => outputDims(predict(tf.zeros([1, size, size, 3])).shape));
  return new CnnFeaturiser(`user/${name}`, version, dims, size, scaling, batchSize, predict, () =>
    g.dispose(),
  );
}
