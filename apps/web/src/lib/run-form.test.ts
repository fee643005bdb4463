import { describe, expect, it } from 'vitest';
import { DEFAULT_FORM, validateRunForm } from './run-form.ts';

describe('validateRunForm', () => {
  it('turns the defaults into a config', () => {
    const { config, errors } = validateRunForm(DEFAULT_FORM);
    expect(errors).toEqual({});
    expect(config).toMatchObject({ splEpochs: 30, batchSize: 128, hiddenSizes: [1024] });
    expect(config).not.toHaveProperty('seed');
  });

  it('reports each bad field with the API bounds', () => {
    const { config, errors } = validateRunForm({
      ...DEFAULT_FORM,
      splEpochs: '0',
      batchSize: '1.5',
      rscLearningRate: '1',
      hiddenSizes: '1, 2, 3, 4, 5',
    });
    expect(config).toBeNull();
    expect(Object.keys(errors).sort()).toEqual([
      'batchSize',
      'hiddenSizes',
      'rscLearningRate',
      'splEpochs',
    ]);
  });

  it('sends per-modality learning rates and site × modality candidates', () => {
    const { config, errors } = validateRunForm({
      ...DEFAULT_FORM,
      rscRates: { image: '0.0005', text: '' },
      priorCandidates: 'SITE_MODALITY',
      minSiteItems: '64',
    });
    expect(errors).toEqual({});
    expect(config).toMatchObject({
      rscLearningRates: [{ modality: 'image', learningRate: 0.0005 }],
      priorCandidates: 'SITE_MODALITY',
      minSiteItems: 64,
    });
  });

  it('refuses a bad per-modality rate and minSiteItems without site × modality', () => {
    const { config, errors } = validateRunForm({
      ...DEFAULT_FORM,
      rscRates: { image: '2', text: '0.001' },
      minSiteItems: '10',
    });
    expect(config).toBeNull();
    expect(Object.keys(errors).sort()).toEqual(['minSiteItems', 'rscRate:image']);
    const zero = validateRunForm({
      ...DEFAULT_FORM,
      priorCandidates: 'SITE_MODALITY',
      minSiteItems: '0',
    });
    expect(zero.errors.minSiteItems).toMatch(/integer/);
  });
});
