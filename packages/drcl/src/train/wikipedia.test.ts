// A short real training run on wikipedia-classic (2,173 train; first 231 test rows validation;
// 462 test) with a small network: both directions must beat the mAP of a random ranking on the
// same split (≈ 0.12) by a wide margin — at least 1.5× (the reference reaches ≈ 2.4×).
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { evaluateRetrieval, randomRankingMap, type RetrievalSet } from '../eval/retrieval.ts';
import { embedModality } from '../model.ts';
import { loadNpyDataset } from '../node/npy-dataset.ts';
import { DATASETS } from '../test-support.ts';
import { trainDrcl } from './train-drcl.ts';

beforeAll(async () => {
  await initBackend();
});

describe('wikipedia-classic', () => {
  it('a short run beats the random ranking by a wide margin in both directions', async () => {
    const { dataset, test } = loadNpyDataset({
      dir: `${DATASETS}/wikipedia-classic`,
      modalities: ['image', 'text'],
      validationFromTest: 231,
    });
    expect(test.image!.labels.length / 10).toBe(462);
    const model = await trainDrcl(dataset, {
      hiddenSizes: [128, 128],
      embeddingDim: 32,
      batchSize: 256,
      splEpochs: 5,
      rscEpochs: 12,
      rscLearningRates: { image: 1e-3, text: 1e-3 },
    });
    const set = (m: 'image' | 'text'): RetrievalSet => ({
      embeddings: embedModality(model, m, test[m]!.features),
      dim: 32,
      labels: test[m]!.labels,
      numClasses: 10,
    });
    const image = set('image');
    const text = set('text');
    const random = randomRankingMap(image, text);
    expect(random).toBeGreaterThan(0.1);
    expect(random).toBeLessThan(0.14);
    const i2t = evaluateRetrieval(image, text).map;
    const t2i = evaluateRetrieval(text, image).map;
    expect(i2t).toBeGreaterThan(1.5 * random);
    expect(t2i).toBeGreaterThan(1.5 * random);
  });
});
