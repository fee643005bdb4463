import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASCAL, fixture } from '../test-paths.ts';
import { createImageFeaturiser, type ImageFeaturiser } from './cnn-featuriser.ts';
import { decodeImage, type DecodedImage } from './decode.ts';

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const photos = readdirSync(join(PASCAL, 'images')).slice(0, 4);
const synthetic = ['alpha.png', 'halves.webp', 'halves.tiff', 'two-frames.gif'];

describe('MobileNetV2 featuriser (nsfwjs weights, flatten_1)', () => {
  let f: ImageFeaturiser;
  let photoImgs: DecodedImage[];
  let synthImgs: DecodedImage[];

  beforeAll(async () => {
    f = await createImageFeaturiser({ kind: 'builtin', model: 'mobilenet_v2', batchSize: 3 });
    photoImgs = await Promise.all(
      photos.map((p) =>
        decodeImage(readFileSync(join(PASCAL, 'images', p)), 'jpeg', { size: f.inputSize }),
      ),
    );
    synthImgs = await Promise.all(
      synthetic.map((p) =>
        decodeImage(
          readFileSync(fixture('images', p)),
          p.split('.')[1] === 'tiff' ? 'tiff' : (p.split('.')[1] as 'png'),
          {
            size: f.inputSize,
          },
        ),
      ),
    );
  });
  afterAll(() => f.dispose());

  it('has a stable id, a version naming weights and layer, and 1280-d, 224 px input', () => {
    expect(f.id).toBe('nsfwjs/mobilenet_v2');
    expect(f.version).toContain('nsfwjs@4.4.0');
    expect(f.version).toContain('flatten_1');
    expect(f.dims).toBe(1280);
    expect(f.inputSize).toBe(224);
  });

  it('gives finite, non-negative (pooled ReLU6) 1280-d vectors and leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    const vectors = await f.featurise(photoImgs);
    expect(tf.memory().numTensors).toBe(before);
    expect(vectors).toHaveLength(photoImgs.length);
    for (const v of vectors) {
      expect(v).toHaveLength(1280);
      expect(v.every((x) => Number.isFinite(x) && x >= 0 && x <= 6)).toBe(true);
      expect(v.some((x) => x > 0)).toBe(true);
    }
  });

  it('is deterministic: the same image twice, in one batch and across batches of other sizes', async () => {
    const img = photoImgs[0]!;
    // batchSize 3 splits these 5 into batches of 3 and 2.
    const [a, b, , , c] = await f.featurise([img, img, photoImgs[1]!, photoImgs[2]!, img]);
    const [d] = await f.featurise([img]);
    // Tolerance: float32 inference with identical inputs; batch composition may change the
    // kernels' blocking, so allow 1e-5 absolute on activations of order 0.1–6.
    for (const other of [b!, c!, d!]) expect(maxAbsDiff(a!, other)).toBeLessThanOrEqual(1e-5);
  });

  it('places real photos of aeroplanes closer to each other than to flat synthetic images', async () => {
    const p = await f.featurise(photoImgs);
    const s = await f.featurise(synthImgs);
    let within = 0;
    let nWithin = 0;
    let across = 0;
    let nAcross = 0;
    for (let i = 0; i < p.length; i++) {
      for (let j = i + 1; j < p.length; j++) {
        within += cosine(p[i]!, p[j]!);
        nWithin++;
      }
      for (const v of s) {
        across += cosine(p[i]!, v);
        nAcross++;
      }
    }
    expect(within / nWithin).toBeGreaterThan(across / nAcross);
  });
});

describe('InceptionV3 featuriser', () => {
  it('gives 2048-d vectors from 299 px input', async () => {
    const f = await createImageFeaturiser({ kind: 'builtin', model: 'inception_v3' });
    try {
      expect([f.id, f.dims, f.inputSize]).toEqual(['nsfwjs/inception_v3', 2048, 299]);
      const img = await decodeImage(readFileSync(join(PASCAL, 'images', photos[0]!)), 'jpeg', {
        size: 299,
      });
      const before = tf.memory().numTensors;
      const [v] = await f.featurise([img]);
      expect(tf.memory().numTensors).toBe(before);
      expect(v).toHaveLength(2048);
      expect(v!.every((x) => Number.isFinite(x) && x >= 0)).toBe(true);
    } finally {
      f.dispose();
    }
  });
});

describe('user TF.js model from a local folder', () => {
  it('loads a layers model (model.json + shard) and featurises with it', async () => {
    // A model whose output is known by arithmetic: the per-channel mean of the scaled pixels.
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({
          inputShape: [16, 16, 3],
          filters: 3,
          kernelSize: 1,
          useBias: false,
          name: 'identity',
        }),
        tfl.layers.globalAveragePooling2d({ name: 'pool' }),
      ],
    });
    model.getLayer('identity').setWeights([tf.reshape(tf.eye(3), [1, 1, 3, 3])]);
    const dir = mkdtempSync(join(tmpdir(), 'concord-user-model-'));
    await model.save(
      tf.io.withSaveHandler((artifacts) => {
        writeFileSync(
          join(dir, 'model.json'),
          JSON.stringify({
            format: 'layers-model',
            modelTopology: artifacts.modelTopology,
            weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
          }),
        );
        writeFileSync(
          join(dir, 'weights.bin'),
          new Uint8Array(artifacts.weightData as ArrayBuffer),
        );
        return Promise.resolve({
          modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' },
        });
      }),
    );
    model.dispose();

    const f = await createImageFeaturiser({ kind: 'user', dir, name: 'channel-means' });
    try {
      expect([f.id, f.dims, f.inputSize]).toEqual(['user/channel-means', 3, 16]);
      expect(f.version).toMatch(/^[0-9a-f]{16}:/);
      // Red left half, blue right half → channel means (0.5, 0, 0.5) of x/255.
      const img = await decodeImage(readFileSync(fixture('images', 'halves.webp')), 'webp', {
        size: 16,
      });
      const [v] = await f.featurise([img]);
      // Tolerance: lanczos resampling rings at the colour edge by a few levels: 0.02 of full scale.
      expect(Math.abs(v![0]! - 0.5)).toBeLessThan(0.02);
      expect(Math.abs(v![1]!)).toBeLessThan(0.02);
      expect(Math.abs(v![2]! - 0.5)).toBeLessThan(0.02);
    } finally {
      f.dispose();
    }
  });
});
