// Training unit by unit, as separate workers do (one job per SPL candidate, one per modality's
// RSC, then assemble): the same model as trainDrcl, also when a candidate is resumed from its own
// checkpoint in the middle.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { getConfig, type DrclArgs } from '../config.ts';
import { oneHot, type DrclDataset } from '../data.ts';
import { Rng } from '../random.ts';
import { maxAbsDiff } from '../test-support.ts';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint.ts';
import { TrainingCancelledError } from './events.ts';
import {
  assembleModel,
  choosePrior,
  priorCandidateIds,
  trainDrcl,
  trainModality,
  trainPriorCandidate,
} from './train-drcl.ts';

const C = 3;
const ARGS: DrclArgs = {
  hiddenSizes: [16],
  embeddingDim: 8,
  batchSize: 16,
  splEpochs: 4,
  rscEpochs: 2,
  seed: 5,
  priorCandidates: 'site-modality',
  minSiteItems: 24,
};

function synthetic(count: number, seed: number): DrclDataset {
  const rng = new Rng(seed);
  const classes = Array.from({ length: count }, (_, i) => i % C);
  const split = (dim: number) => ({
    features: Float32Array.from({ length: count * dim }, (_, k) => {
      const row = Math.floor(k / dim);
      return (k % dim === classes[row]! ? 2 : 0) + 0.5 * rng.normal();
    }),
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

describe('training unit by unit', () => {
  it('gives trainDrcl’s model, with one candidate resumed from its checkpoint', async () => {
    const data = synthetic(48, 3);
    const reference = await trainDrcl(data, ARGS);

    const spl = [];
    for (const m of data.modalities) {
      const ids = priorCandidateIds(m, C, ARGS);
      expect(ids).toEqual([`${m.name}@site0`, `${m.name}@site1`]);
      for (const id of ids) {
        if (id !== 'b@site1') {
          spl.push(await trainPriorCandidate(m, id, C, ARGS));
          continue;
        }
        // Stop this one after two epochs, then resume it from the last checkpoint.
        const controller = new AbortController();
        let saved: Uint8Array | null = null;
        await expect(
          trainPriorCandidate(m, id, C, ARGS, {
            signal: controller.signal,
            callbacks: {
              onCheckpoint: (c) => {
                saved = encodeCheckpoint(c);
                if (c.current?.nextEpoch === 2) controller.abort();
              },
            },
          }),
        ).rejects.toBeInstanceOf(TrainingCancelledError);
        const resume = decodeCheckpoint(saved!).current!;
        expect(resume).toMatchObject({ kind: 'spl', id, nextEpoch: 2 });
        spl.push(await trainPriorCandidate(m, id, C, ARGS, { resumeFrom: resume }));
      }
    }
    const prior = choosePrior(spl, ARGS, C);
    const rsc = [];
    for (const m of data.modalities) rsc.push(await trainModality(m, prior, C, ARGS));
    const model = assembleModel(getConfig(ARGS), C, prior, spl, rsc);

    expect(model.report).toEqual(reference.report);
    expect(maxAbsDiff(model.prior.w, reference.prior.w)).toBe(0);
    for (const m of ['a', 'b']) {
      model.networks[m]!.layers.forEach((l, i) =>
        expect(maxAbsDiff(l.weight, reference.networks[m]!.layers[i]!.weight)).toBe(0),
      );
    }
  });

  it('refuses an unknown candidate', async () => {
    const data = synthetic(48, 3);
    await expect(trainPriorCandidate(data.modalities[0]!, 'a@site9', C, ARGS)).rejects.toThrow(
      /no prior candidate a@site9/,
    );
  });
});
