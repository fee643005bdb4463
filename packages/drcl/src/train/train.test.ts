// Training on small networks and synthetic data (WASM backend): memory, determinism, callbacks,
// cancellation, checkpoint/resume, one modality against a saved prior, save/load.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import type { DrclArgs } from '../config.ts';
import { type DrclDataset, oneHot } from '../data.ts';
import {
  decodeModel,
  embedModality,
  encodeModel,
  loadModel,
  saveModel,
  withModality,
} from '../model.ts';
import { evaluateAllDirections } from '../eval/retrieval.ts';
import { Rng } from '../random.ts';
import { maxAbsDiff } from '../test-support.ts';
import { type Checkpoint, decodeCheckpoint, encodeCheckpoint } from './checkpoint.ts';
import { type EpochEvent, TrainingCancelledError } from './events.ts';
import { trainDrcl, trainModality } from './train-drcl.ts';

const C = 3;
const ARGS: DrclArgs = {
  hiddenSizes: [16, 16],
  embeddingDim: 8,
  batchSize: 16,
  splEpochs: 3,
  rscEpochs: 3,
  rscLearningRates: { a: 1e-3, b: 1e-3 },
  seed: 7,
  evalBatchSize: 20,
};

/** Class-dependent Gaussian clusters for two modalities of different dims, with site ids. */
function synthetic(count: number, seed: number): DrclDataset {
  const rng = new Rng(seed);
  const classes = Array.from({ length: count }, (_, i) => i % C);
  const features = (dim: number) =>
    Float32Array.from({ length: count * dim }, (_, k) => {
      const row = Math.floor(k / dim);
      return (k % dim === classes[row]! ? 2 : 0) + 0.5 * rng.normal();
    });
  const split = (dim: number) => ({
    features: features(dim),
    dim,
    labels: oneHot(classes, C),
    siteIds: Int32Array.from(classes, (_, i) => i % 2),
  });
  return {
    numClasses: C,
    modalities: [
      { name: 'a', train: split(5), validation: split(5) },
      { name: 'b', train: split(4), validation: split(4) },
    ],
  };
}

beforeAll(async () => {
  await initBackend();
});

describe('trainDrcl on synthetic data', () => {
  const data = synthetic(48, 1);

  it('leaks no tensors, is deterministic and reports every event', async () => {
    const before = tf.memory().numTensors;
    const events: EpochEvent[] = [];
    const priors: string[] = [];
    const model = await trainDrcl(data, ARGS, {
      callbacks: {
        onEpochEnd: (e) => void events.push(e),
        onPriorSelected: (e) => void priors.push(e.candidate),
      },
    });
    expect(tf.memory().numTensors).toBe(before);
    // 2 SPL candidates + 2 RSC modalities, 3 epochs each.
    expect(events.filter((e) => e.stage === 'spl')).toHaveLength(6);
    expect(events.filter((e) => e.stage === 'rsc')).toHaveLength(6);
    const spl0 = events.find((e) => e.stage === 'spl' && e.epoch === 0);
    expect(spl0?.stage === 'spl' && spl0.trainLoss).toBeNull(); // q = 0: no update at epoch 0
    const rsc = events.find((e) => e.stage === 'rsc');
    expect(rsc?.stage === 'rsc' && rsc.validationLoss?.total).toBeGreaterThan(0);
    expect(priors).toHaveLength(1);
    expect(model.prior.pinvError).toBeLessThanOrEqual(1e-6);
    const again = await trainDrcl(data, ARGS);
    expect(
      maxAbsDiff(again.networks.a!.layers[0]!.weight, model.networks.a!.layers[0]!.weight),
    ).toBe(0);
    expect(maxAbsDiff(again.prior.w, model.prior.w)).toBe(0);
  });

  it('reports quality scores per site and offers site×modality candidates', async () => {
    const scores: Record<string, number>[] = [];
    const model = await trainDrcl(
      data,
      { ...ARGS, priorCandidates: 'site-modality', minSiteItems: 24, splEpochs: 2, rscEpochs: 1 },
      {
        callbacks: {
          onPriorSelected: (e) => void scores.push(e.scores),
        },
      },
    );
    expect(Object.keys(scores[0]!).sort()).toEqual(['a@site0', 'a@site1', 'b@site0', 'b@site1']);
    expect(model.prior.site === 0 || model.prior.site === 1).toBe(true);
    expect(Object.keys(model.report.spl[0]!.scoreBySite)).toEqual(['0', '1']);
  });

  it('is cancelled by an AbortSignal and resumes from a checkpoint to the same weights', async () => {
    const reference = await trainDrcl(data, ARGS);
    const controller = new AbortController();
    let saved: Uint8Array | null = null;
    let seen = 0;
    const run = trainDrcl(data, ARGS, {
      signal: controller.signal,
      callbacks: {
        onCheckpoint: (c: Checkpoint) => {
          saved = encodeCheckpoint(c);
          seen += 1;
          if (seen === 8) controller.abort(); // mid-RSC of modality a (6 SPL + 2 RSC epochs)
        },
      },
    });
    await expect(run).rejects.toBeInstanceOf(TrainingCancelledError);
    const checkpoint = decodeCheckpoint(saved!);
    expect(checkpoint.current?.kind).toBe('rsc');
    const resumed = await trainDrcl(data, ARGS, { resumeFrom: checkpoint });
    expect(resumed.report).toEqual(reference.report);
    for (const m of ['a', 'b']) {
      const ours = resumed.networks[m]!.layers;
      const ref = reference.networks[m]!.layers;
      ours.forEach((l, i) => expect(maxAbsDiff(l.weight, ref[i]!.weight)).toBe(0));
    }
  });

  it('trains one modality alone against a saved prior; models round-trip through bytes + JSON', async () => {
    const model = await trainDrcl(data, { ...ARGS, splEpochs: 2, rscEpochs: 1 });
    const restored = loadModel(saveModel(model));
    const c = synthetic(48, 2);
    const newcomer = { ...c.modalities[0]!, name: 'c' };
    const rsc = await trainModality(newcomer, restored.prior, C, { ...ARGS, rscEpochs: 2 });
    const extended = withModality(restored, 'c', rsc);
    const decoded = decodeModel(encodeModel(extended));
    expect(Object.keys(decoded.networks).sort()).toEqual(['a', 'b', 'c']);
    expect(decoded.config).toEqual(model.config);
    const emb = embedModality(decoded, 'c', newcomer.train.features, 7);
    expect(emb.length).toBe(48 * 8);
    for (let i = 0; i < 48; i++) {
      let s = 0;
      for (let k = 0; k < 8; k++) s += emb[i * 8 + k]! ** 2;
      expect(Math.abs(Math.sqrt(s) - 1)).toBeLessThanOrEqual(1e-5); // L2-normalised output
    }
    // The untouched modality embeds identically before and after the round trip.
    const before = embedModality(model, 'a', data.modalities[0]!.train.features);
    const after = embedModality(decoded, 'a', data.modalities[0]!.train.features);
    expect(maxAbsDiff(before, after)).toBe(0);
  });

  it('refuses the pure-JS cpu backend unless allowed', async () => {
    await initBackend({ prefer: 'cpu', allowCpu: true });
    try {
      await expect(trainDrcl(data, ARGS)).rejects.toThrow(/cpu backend/);
    } finally {
      await initBackend({ prefer: 'wasm' });
    }
  });

  it('trains K = 3 modalities on multi-label data and evaluates every direction', async () => {
    const rng = new Rng(5);
    const count = 40;
    const labels = new Float32Array(count * C);
    for (let i = 0; i < count; i++) {
      labels[i * C + (i % C)] = 1;
      if (i % 4 === 0) labels[i * C + ((i + 1) % C)] = 1; // every 4th item carries two labels
    }
    const split = (dim: number) => ({
      features: Float32Array.from({ length: count * dim }, (_, k) => {
        const row = Math.floor(k / dim);
        return labels[row * C + ((k % dim) % C)]! + 0.3 * rng.normal();
      }),
      dim,
      labels,
    });
    const three: DrclDataset = {
      numClasses: C,
      modalities: ['x', 'y', 'z'].map((name, i) => ({
        name,
        train: split(4 + i),
        validation: split(4 + i),
      })),
    };
    const model = await trainDrcl(three, {
      ...ARGS,
      splEpochs: 2,
      rscEpochs: 2,
      rscLearningRates: { x: 1e-3, y: 1e-3, z: 1e-3 },
    });
    const sets = Object.fromEntries(
      three.modalities.map((m) => [
        m.name,
        {
          embeddings: embedModality(model, m.name, m.validation!.features),
          dim: 8,
          labels,
          numClasses: C,
        },
      ]),
    );
    const report = evaluateAllDirections(sets);
    expect(Object.keys(report.directions).sort()).toEqual([
      'x→y',
      'x→z',
      'y→x',
      'y→z',
      'z→x',
      'z→y',
    ]);
    for (const m of Object.values(report.directions)) {
      expect(m.multiLabel).toBe(true);
      expect(m.map).toBeGreaterThan(0);
      expect(m.map).toBeLessThanOrEqual(1);
    }
  });
});
