import { describe, expect, it } from 'vitest';
import { isSelectedCell, logLines, priorMatrix, rscSeries, splSeries } from './training.ts';

const spl = (modality: string, epoch: number, bySite: Record<string, number>, q = 0.5) => ({
  stage: 'spl',
  unit: modality,
  epoch,
  metrics: {
    stage: 'spl',
    candidate: modality,
    modality,
    site: null,
    epoch,
    trainLoss: 1 / (epoch + 1),
    qualityScore: q,
    qualityScoreBySite: bySite,
  },
});

describe('priorMatrix', () => {
  it('takes the best score per site and modality over epochs, and marks the selected column', () => {
    const epochs = [
      spl('image', 0, { '0': 0.2, '1': 0.4 }),
      spl('image', 1, { '0': 0.3, '1': 0.1 }),
      spl('text', 0, { '0': 0.9 }),
    ];
    const m = priorMatrix(epochs, ['north', 'south'], ['image', 'text'], {
      modality: 'text',
      site: null,
    });
    expect(m.values).toEqual([
      [0.3, 0.9],
      [0.4, null],
    ]);
    expect(m.min).toBe(0.3);
    expect(m.max).toBe(0.9);
    expect(isSelectedCell(m, 0, 'text')).toBe(true);
    expect(isSelectedCell(m, 1, 'text')).toBe(true);
    expect(isSelectedCell(m, 0, 'image')).toBe(false);
  });

  it('marks one cell for a site × modality candidate', () => {
    const epoch = {
      stage: 'spl',
      unit: 'image@1',
      epoch: 0,
      metrics: { modality: 'image', site: 1, qualityScore: 0.7 },
    };
    const m = priorMatrix([epoch], ['a', 'b'], ['image'], { modality: 'image', site: 1 });
    expect(m.values).toEqual([[null], [0.7]]);
    expect(isSelectedCell(m, 1, 'image')).toBe(true);
    expect(isSelectedCell(m, 0, 'image')).toBe(false);
  });
});

describe('series', () => {
  it('puts every RSC loss term and the validation loss on one row per epoch, in order', () => {
    const loss = {
      total: 3,
      label: 1,
      discrimination: 0.5,
      intraModal: 0.5,
      interModal: 0.5,
      mse: 0.5,
    };
    const rows = rscSeries([
      {
        stage: 'rsc',
        unit: 'text',
        epoch: 1,
        metrics: { loss, validationLoss: { ...loss, total: 2 } },
      },
      { stage: 'rsc', unit: 'text', epoch: 0, metrics: { loss, validationLoss: null } },
    ]).get('text');
    expect(rows?.map((r) => r.epoch)).toEqual([1, 2]);
    expect(rows?.[1]).toMatchObject({ total: 3, mse: 0.5, validation_total: 2 });
    expect(rows?.[0]?.validation_total).toBeUndefined();
  });

  it('keeps SPL loss and quality per candidate', () => {
    const rows = splSeries([spl('image', 0, {}, 0.25)]).get('image');
    expect(rows).toEqual([{ epoch: 1, trainLoss: 1, qualityScore: 0.25 }]);
  });

  it('reads log lines and ignores junk', () => {
    expect(
      logLines([{ at: '2026-01-01T00:00:00Z', level: 'info', message: 'started' }, 3]),
    ).toEqual([{ at: '2026-01-01T00:00:00Z', level: 'info', message: 'started' }]);
    expect(logLines(null)).toEqual([]);
  });
});
