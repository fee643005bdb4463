/**
 * Held-out evaluation over the database on crafted embeddings (both database modes): mAP, P@10,
 * R@10 and P@K/R@K checked against figures worked out by hand, classes and sites by name.
 */
import { TEST_DATABASE_MODES } from '@concord/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apRelevantLast,
  createModel,
  perfect,
  reversed,
  seedHeldOut,
  type HeldOutFixture,
} from '../../testing/held-out-fixture.ts';
import { startTestApp, type TestApp } from '../../testing/harness.ts';
import { evaluateModels } from './evaluate-models.ts';
import { storedMetrics } from './stored-metrics.ts';

const TOLERANCE = 9; // decimal places (float32 embeddings, float64 sums)

const EVALUATION = `query($id: ID!, $k: Int) {
  model(id: $id) {
    evaluation(k: $k) {
      k meanMap itemsPerModality { modality count }
      directions {
        query target map queries precisionAt10 recallAt10 k precisionAtK recallAtK
        perClass { label { id name } map queries }
        perSite { site { id name } map queries }
      }
    }
  }
}`;

interface Direction {
  query: string;
  target: string;
  map: number;
  queries: number;
  precisionAt10: number;
  recallAt10: number;
  k: number;
  precisionAtK: number;
  recallAtK: number;
  perClass: { label: { id: string; name: string }; map: number; queries: number }[];
  perSite: { site: { id: string; name: string }; map: number; queries: number }[];
}
interface EvaluationData {
  model: {
    evaluation: {
      k: number;
      meanMap: number;
      itemsPerModality: { modality: string; count: number }[];
      directions: Direction[];
    };
  };
}

describe.each(TEST_DATABASE_MODES)('evaluateModels ($name)', (mode) => {
  let t: TestApp;
  let f: HeldOutFixture;
  let good = '';
  let bad = '';

  beforeAll(async () => {
    t = await startTestApp(mode);
    // 12 cats and 12 dogs per modality, 6 of each class on each site.
    f = await seedHeldOut(t.app.deps, 'evaluation', 12);
    good = (await createModel(t.app.deps, f, 1, perfect)).id;
    bad = (await createModel(t.app.deps, f, 2, reversed)).id;
  }, 120_000);
  afterAll(() => t?.close());

  it('ranks perfectly: mAP 1, P@10 = 10/10, R@10 = 10/12, P@15 = 12/15, R@15 = 1', async () => {
    const read = await t.gql<EvaluationData>(EVALUATION, { id: good, k: 15 });
    expect(read.errors).toBeUndefined();
    const evaluation = read.data.model.evaluation;
    expect(evaluation.k).toBe(15);
    expect(evaluation.meanMap).toBeCloseTo(1, TOLERANCE);
    expect(evaluation.itemsPerModality).toEqual([
      { modality: 'image', count: 24 },
      { modality: 'text', count: 24 },
    ]);
    expect(evaluation.directions.map((d) => `${d.query}→${d.target}`)).toEqual([
      'IMAGE→TEXT',
      'TEXT→IMAGE',
    ]);
    for (const d of evaluation.directions) {
      expect(d.queries).toBe(24);
      expect(d.map).toBeCloseTo(1, TOLERANCE);
      expect(d.precisionAt10).toBeCloseTo(1, TOLERANCE);
      expect(d.recallAt10).toBeCloseTo(10 / 12, TOLERANCE);
      expect(d.k).toBe(15);
      expect(d.precisionAtK).toBeCloseTo(12 / 15, TOLERANCE);
      expect(d.recallAtK).toBeCloseTo(1, TOLERANCE);
    }
  });

  it('ranks every relevant item last: hand-computed AP, P@10 = 0, P@15 = 3/15, R@15 = 3/12, by class and site name', async () => {
    const read = await t.gql<EvaluationData>(EVALUATION, { id: bad, k: 15 });
    expect(read.errors).toBeUndefined();
    // Each query: its 12 relevant items at ranks 13..24 → AP = (1/12)·Σ_j j/(12+j).
    const ap = apRelevantLast(12, 12);
    const evaluation = read.data.model.evaluation;
    expect(evaluation.meanMap).toBeCloseTo(ap, TOLERANCE);
    for (const d of evaluation.directions) {
      expect(d.map).toBeCloseTo(ap, TOLERANCE);
      expect(d.precisionAt10).toBeCloseTo(0, TOLERANCE);
      expect(d.recallAt10).toBeCloseTo(0, TOLERANCE);
      expect(d.precisionAtK).toBeCloseTo(3 / 15, TOLERANCE);
      expect(d.recallAtK).toBeCloseTo(3 / 12, TOLERANCE);
      expect(d.perClass.map((c) => [c.label.name, c.label.id, c.queries])).toEqual([
        ['cat', f.labelIds[0], 12],
        ['dog', f.labelIds[1], 12],
      ]);
      expect(d.perSite.map((s) => [s.site.name, s.site.id, s.queries])).toEqual([
        ['north', f.siteIds[0], 12],
        ['south', f.siteIds[1], 12],
      ]);
      for (const figure of [...d.perClass, ...d.perSite])
        expect(figure.map).toBeCloseTo(ap, TOLERANCE);
    }
  });

  it('stores metrics that name classes and sites with their ids, P@10 and R@10 beside mAP', async () => {
    const model = (await t.app.deps.repos.models.findById(good))!;
    const evaluation = await evaluateModels(t.app.deps, [model]);
    const stored = storedMetrics(evaluation, evaluation.models[0]!);
    expect(stored).toMatchObject({ meanMap: 1, k: 10, testItems: { image: 24, text: 24 } });
    const direction = (stored.directions as Record<string, Record<string, unknown>>)['image→text']!;
    expect(direction).toMatchObject({
      queries: 24,
      precisionAt10: 1,
      perClass: [
        { label: { id: f.labelIds[0], name: 'cat', index: 0 }, map: 1, queries: 12 },
        { label: { id: f.labelIds[1], name: 'dog', index: 1 }, map: 1, queries: 12 },
      ],
      perSite: [
        { site: { id: f.siteIds[0], name: 'north' }, queries: 12 },
        { site: { id: f.siteIds[1], name: 'south' }, queries: 12 },
      ],
    });
    expect(direction.recallAt10).toBeCloseTo(10 / 12, TOLERANCE);
    expect(JSON.parse(JSON.stringify(stored))).toEqual(stored);
  });

  it('refuses a k outside 1..1000 with BAD_USER_INPUT', async () => {
    for (const k of [0, 1001]) {
      const read = await t.gql(EVALUATION, { id: good, k });
      expect(read.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });
});
