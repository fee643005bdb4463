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

  it('reads the named form stored since the gate, with P@10 and R@10', () => {
    const rows = metricRows(
      {
        directions: {
          'image→text': {
            map: 0.6,
            precisionAt10: 0.4,
            recallAt10: 0.25,
            perClass: [
              { label: { id: 'b', name: 'dogs', index: 1 }, map: 0.5, queries: 2 },
              { label: { id: 'a', name: 'cats', index: 0 }, map: 0.7, queries: 3 },
            ],
            perSite: [{ site: { id: 's', name: 'south' }, map: 0.6, queries: 5 }],
          },
        },
      },
      // Names come from the metrics, not from these (which a renamed label would make stale).
      [{ name: 'felines', index: 0 }],
      [{ name: 'north' }],
    );
    expect(rows.byClass).toEqual([
      { name: 'cats', 'image→text': 0.7 },
      { name: 'dogs', 'image→text': 0.5 },
    ]);
    expect(rows.bySite).toEqual([{ name: 'south', 'image→text': 0.6 }]);
    expect(rows.atTen).toEqual([{ name: 'image→text', precision: 0.4, recall: 0.25 }]);
  });

  it('is empty for a model without metrics', () => {
    expect(metricRows({}, [], []).directions).toEqual([]);
  });
});
