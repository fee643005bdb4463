import { describe, expect, it } from 'vitest';
import { oneHot } from '../data.ts';
import { toFloat32, toInt32 } from '../io/npy.ts';
import { readNpy } from '../test-support.ts';
import {
  evaluateAllDirections,
  evaluateRetrieval,
  randomRankingMap,
  type RetrievalSet,
} from './retrieval.ts';

function referenceSet(modality: 'image' | 'text'): RetrievalSet {
  const dir = 'drcl-reference-embeddings';
  const emb = readNpy(dir, `${modality}_embeddings.npy`);
  const labels = toInt32(readNpy(dir, `${modality}_labels.npy`));
  return {
    embeddings: toFloat32(emb),
    dim: emb.shape[1]!,
    labels: oneHot(labels, 10),
    numClasses: 10,
  };
}

/** A set of 1-d "embeddings" on the unit circle so the ranking is chosen by hand. */
function circleSet(angles: number[], classes: number[][], numClasses: number): RetrievalSet {
  const labels = new Float32Array(classes.length * numClasses);
  classes.forEach((cs, i) => cs.forEach((c) => (labels[i * numClasses + c] = 1)));
  return {
    embeddings: Float32Array.from(angles.flatMap((a) => [Math.cos(a), Math.sin(a)])),
    dim: 2,
    labels,
    numClasses,
  };
}

describe('mAP on the authors’ reference embeddings (tolerance ±1e-4)', () => {
  const image = referenceSet('image');
  const text = referenceSet('text');

  it('mAP@all is I→T 0.5619 and T→I 0.5376', () => {
    const report = evaluateAllDirections({ image, text });
    expect(report.directions['image→text']!.map).toBeCloseTo(0.5619, 4);
    expect(Math.abs(report.directions['image→text']!.map - 0.5619)).toBeLessThanOrEqual(1e-4);
    expect(Math.abs(report.directions['text→image']!.map - 0.5376)).toBeLessThanOrEqual(1e-4);
    expect(report.meanMap).toBeCloseTo((0.5619 + 0.5376) / 2, 3);
  });

  it('mAP@50 (AP divided by the hits inside the top 50) is 0.5599 / 0.6848', () => {
    const i2t = evaluateRetrieval(image, text, { k: 50 });
    const t2i = evaluateRetrieval(text, image, { k: 50 });
    expect(Math.abs(i2t.map - 0.5599)).toBeLessThanOrEqual(1e-4);
    expect(Math.abs(t2i.map - 0.6848)).toBeLessThanOrEqual(1e-4);
  });

  it('per-class mAP averages back to the overall mAP (single-label: one class per query)', () => {
    const m = evaluateRetrieval(image, text);
    const labels = readNpy('drcl-reference-embeddings', 'image_labels.npy');
    const counts = new Map<number, number>();
    for (const c of toInt32(labels)) counts.set(c, (counts.get(c) ?? 0) + 1);
    let weighted = 0;
    for (const [c, n] of counts) weighted += m.perClass[String(c)]! * n;
    expect(weighted / 462).toBeCloseTo(m.map, 10);
  });
});

describe('hand-computable rankings', () => {
  // Query at angle 0; database items at angles 0.1, 0.2, 0.3, 0.4 rank in that order.
  const db = circleSet([0.1, 0.2, 0.3, 0.4], [[1], [0], [1], [0]], 2);
  const query = circleSet([0], [[0]], 2);

  it('AP = mean of P@k at the relevant ranks', () => {
    // Relevant at ranks 2 and 4: P@2 = 1/2, P@4 = 2/4 → AP = 0.5.
    const m = evaluateRetrieval(query, db);
    expect(m.map).toBeCloseTo(0.5, 12);
    expect(m.precisionAtK).toBeCloseTo(2 / 4, 12);
    expect(m.recallAtK).toBeCloseTo(1, 12);
  });

  it('AP@K: hits-in-top-k versus relevant-in-database', () => {
    // K = 2: one hit (rank 2, P = 1/2). hits-in-top-k: 0.5/1; relevant-in-database: 0.5/min(2, 2).
    expect(evaluateRetrieval(query, db, { k: 2 }).map).toBeCloseTo(0.5, 12);
    expect(evaluateRetrieval(query, db, { k: 2, ap: 'relevant-in-database' }).map).toBeCloseTo(
      0.25,
      12,
    );
    const atOne = evaluateRetrieval(query, db, { k: 1 });
    expect(atOne.map).toBe(0); // single-label: no hit in the top 1 → AP 0, still counted
    expect(atOne.queries).toBe(1);
    expect(atOne.recallAtK).toBe(0);
  });

  it('multi-label: relevant = shares a label; queries without a hit are skipped', () => {
    const mdb = circleSet([0.1, 0.2, 0.3], [[0, 1], [2], [1]], 3);
    const queries = circleSet([0, 0], [[1, 2], [0]], 3);
    const m = evaluateRetrieval(queries, mdb, { k: 1 });
    // Query 0 ({1,2}): top-1 is {0,1} → relevant, AP 1. Query 1 ({0}): top-1 relevant too → 1.
    expect(m.multiLabel).toBe(true);
    expect(m.map).toBeCloseTo(1, 12);
    const full = evaluateRetrieval(circleSet([0], [[2]], 3), mdb, { k: 1 });
    expect(full.queries).toBe(0); // {2} has no hit in the top 1 → skipped
    expect(full.skipped).toBe(1);
    // Over all 3: query {1,2} relevant at ranks 1,2,3 → AP 1; query {0} relevant at rank 1 only.
    expect(evaluateRetrieval(queries, mdb).map).toBeCloseTo(1, 12);
  });

  it('per-site mAP groups queries by site id', () => {
    const queries = { ...circleSet([0, 0], [[0], [1]], 2), siteIds: Int32Array.from([7, 9]) };
    const m = evaluateRetrieval(queries, db);
    // Site 7 query (class 0): 0.5 as above. Site 9 (class 1): ranks 1 and 3 → (1 + 2/3)/2.
    expect(m.perSite['7']).toBeCloseTo(0.5, 12);
    expect(m.perSite['9']).toBeCloseTo((1 + 2 / 3) / 2, 12);
  });

  it('random-ranking mAP equals the average over every permutation', () => {
    // 4 database items, 2 relevant: enumerate the 6 placements of the relevant pair.
    let total = 0;
    let n = 0;
    for (let a = 1; a <= 4; a++) {
      for (let b = a + 1; b <= 4; b++) {
        total += (1 / a + 2 / b) / 2;
        n += 1;
      }
    }
    expect(randomRankingMap(query, db)).toBeCloseTo(total / n, 12);
  });
});
