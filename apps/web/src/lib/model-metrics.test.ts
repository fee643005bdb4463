import { describe, expect, it } from 'vitest';
import { metricRows } from './model-metrics.ts';

describe('metricRows', () => {
  it('names classes and sites and keeps one column per direction', () => {
    const rows = metricRows(
      {
        meanMap: 0.5,
        directions: {
          'image→text': { map: 0.6, perClass: { '0': 0.7, '1': 0.5 }, perSite: { '0': 0.6 } },
          'text→image': { map: 0.4, perClass: { '1': 0.3 }, perSite: {} },
        },
      },
      [
        { name: 'cats', index: 0 },
        { name: 'dogs', index: 1 },
      ],
      [{ name: 'north' }],
    );
    expect(rows.byDirection).toEqual([
      { name: 'image→text', mAP: 0.6 },
      { name: 'text→image', mAP: 0.4 },
    ]);
    expect(rows.byClass).toEqual([
      { name: 'cats', 'image→text': 0.7 },
      { name: 'dogs', 'image→text': 0.5, 'text→image': 0.3 },
    ]);
    expect(rows.bySite).toEqual([{ name: 'north', 'image→text': 0.6 }]);
  });

  it('is empty for a model without metrics', () => {
    expect(metricRows({}, [], []).directions).toEqual([]);
  });
});
