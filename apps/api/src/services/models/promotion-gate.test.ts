/**
 * The promotion gate on crafted models (both database modes): the same held-out items for
 * candidate and active, a known AP difference on every query (so the paired-bootstrap interval
 * collapses to it), refusal beyond the margin, promotion when equal, no judgement on a tiny split,
 * the `ensureEmbedded` hook, and `force`.
 */
import { TEST_DATABASE_MODES } from '@concord/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addItems,
  apRelevantLast,
  createModel,
  embedItems,
  perfect,
  reversed,
  seedHeldOut,
  type HeldOutFixture,
  type HeldOutItemRow,
} from '../../testing/held-out-fixture.ts';
import { startTestApp, type TestApp } from '../../testing/harness.ts';
import { judgePromotion } from './judge-promotion.ts';

const TOLERANCE = 9;
const MIN_ITEMS = 20;

const PROMOTE = `mutation($id: ID!, $force: Boolean) {
  promoteModel(modelId: $id, force: $force) {
    model { id status }
    errors { code message }
  }
}`;

const GATE = `query($id: ID!) {
  model(id: $id) {
    status
    gate {
      verdict activeModel { id version } activeVersion candidateMap activeMap difference
      ciLow ciHigh confidence margin bootstrapSamples minTestItems
      itemsPerModality { modality count } queries reason evaluatedAt
    }
  }
}`;

interface Gate {
  verdict: string;
  activeModel: { id: string; version: number } | null;
  activeVersion: number | null;
  candidateMap: number | null;
  activeMap: number | null;
  difference: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  confidence: number;
  margin: number;
  bootstrapSamples: number;
  minTestItems: number;
  itemsPerModality: { modality: string; count: number }[];
  queries: number;
  reason: string;
  evaluatedAt: string;
}
interface PromoteData {
  promoteModel: {
    model: { id: string; status: string } | null;
    errors: { code: string; message: string }[];
  };
}

describe.each(TEST_DATABASE_MODES)('the promotion gate ($name)', (mode) => {
  let t: TestApp;
  let f: HeldOutFixture;
  let tiny: HeldOutFixture;

  const promote = (id: string, force = false) => t.gql<PromoteData>(PROMOTE, { id, force });
  const gateOf = async (id: string) =>
    (await t.gql<{ model: { status: string; gate: Gate | null } }>(GATE, { id })).data.model;

  beforeAll(async () => {
    t = await startTestApp(mode, { PROMOTION_MIN_TEST_ITEMS: String(MIN_ITEMS) });
    f = await seedHeldOut(t.app.deps, 'gate', 12); // 24 items per modality
    tiny = await seedHeldOut(t.app.deps, 'tiny', 3); // 6 items per modality
  }, 120_000);
  afterAll(() => t?.close());

  it('promotes the first model without comparison', async () => {
    const v1 = await createModel(t.app.deps, f, 1, perfect);
    const promoted = await promote(v1.id);
    expect(promoted.data.promoteModel).toEqual({
      model: { id: v1.id, status: 'ACTIVE' },
      errors: [],
    });
    expect((await gateOf(v1.id)).gate).toMatchObject({
      verdict: 'FIRST_MODEL',
      activeModel: null,
      difference: null,
    });
  });

  it('refuses a candidate worse on the same items beyond the margin, naming the figures', async () => {
    const v2 = await createModel(t.app.deps, f, 2, reversed);
    const refused = await promote(v2.id);
    expect(refused.data.promoteModel.model).toBeNull();
    const [error] = refused.data.promoteModel.errors;
    expect(error?.code).toBe('FAILED_PRECONDITION');
    // Every query: AP 1 for the active model, (1/12)·Σ_j j/(12+j) for the candidate; 48 queries.
    const ap = apRelevantLast(12, 12);
    expect(error?.message).toContain(`mAP ${ap.toFixed(4)} vs 1.0000 of the active v1`);
    expect(error?.message).toContain(`95 % CI [${(ap - 1).toFixed(4)}, ${(ap - 1).toFixed(4)}]`);
    const { status, gate } = await gateOf(v2.id);
    expect(status).toBe('READY');
    expect(gate).toMatchObject({
      verdict: 'REFUSE',
      activeVersion: 1,
      confidence: 0.95,
      margin: 0.01,
      bootstrapSamples: 2000,
      minTestItems: MIN_ITEMS,
      itemsPerModality: [
        { modality: 'image', count: 24 },
        { modality: 'text', count: 24 },
      ],
      queries: 48,
    });
    expect(gate!.activeModel?.version).toBe(1);
    expect(gate!.candidateMap).toBeCloseTo(ap, TOLERANCE);
    expect(gate!.activeMap).toBeCloseTo(1, TOLERANCE);
    // All 48 differences equal → every resample's mean is that difference.
    for (const bound of [gate!.difference, gate!.ciLow, gate!.ciHigh])
      expect(bound).toBeCloseTo(ap - 1, TOLERANCE);
    const dataset = await t.app.deps.repos.datasets.findById(f.datasetId);
    expect(dataset?.activeModelId).not.toBe(v2.id);
  });

  it('promotes a candidate as good as the active model (difference 0, interval [0, 0])', async () => {
    const v3 = await createModel(t.app.deps, f, 3, perfect);
    const promoted = await promote(v3.id);
    expect(promoted.data.promoteModel.model).toEqual({ id: v3.id, status: 'ACTIVE' });
    const { gate } = await gateOf(v3.id);
    expect(gate?.verdict).toBe('PROMOTE');
    for (const value of [gate!.difference, gate!.ciLow, gate!.ciHigh])
      expect(value).toBeCloseTo(0, TOLERANCE);
    expect(gate!.reason).toMatch(/^not worse beyond the margin 0.01: /);
  });

  it('promotes a candidate equal on average whose interval straddles 0', async () => {
    // Active: one dog image B opposite its class (−[0, 1]); candidate: one cat image A opposite
    // (−[1, 0]). Either flipped image's own query ranks its 12 relevant texts last (AP r), and
    // for each of the 12 texts of its class it ranks last of 12 relevant images (AP 11.5/12);
    // every other query is perfect. Differences: +(1 − r), −(1 − r), 12 × +0.5/12, 12 × −0.5/12.
    const images = f.items.filter((item) => item.modality === 'image');
    const a = images.find((item) => item.label === 0)!;
    const b = images.find((item) => item.label === 1)!;
    const flip = (flipped: string) => (item: HeldOutItemRow) =>
      perfect(item).map((v) => (item.id === flipped ? -v : v));
    const active = await createModel(t.app.deps, f, 4, flip(b.id));
    expect((await promote(active.id, true)).data.promoteModel.errors).toEqual([]);
    const candidate = await createModel(t.app.deps, f, 5, flip(a.id));
    const promoted = await promote(candidate.id);
    expect(promoted.data.promoteModel.model).toEqual({ id: candidate.id, status: 'ACTIVE' });
    const { gate } = await gateOf(candidate.id);
    const r = apRelevantLast(12, 12);
    const mean = (35 + r + 11.5) / 48; // 35 perfect queries of 48, one r, 12 × 11.5/12
    expect(gate?.verdict).toBe('PROMOTE');
    expect(gate!.candidateMap).toBeCloseTo(mean, TOLERANCE);
    expect(gate!.activeMap).toBeCloseTo(mean, TOLERANCE);
    expect(gate!.difference).toBeCloseTo(0, TOLERANCE);
    expect(gate!.ciLow!).toBeLessThan(0);
    expect(gate!.ciHigh!).toBeGreaterThan(0);
  });

  it('evaluates on the items both models embedded, after the ensureEmbedded hook of each', async () => {
    const active = (await t.app.deps.repos.models.findById(
      (await t.app.deps.repos.datasets.findById(f.datasetId))!.activeModelId!,
    ))!;
    const late = await addItems(t.app.deps, f, 2, 'late'); // 4 new items per modality
    const candidate = await createModel(t.app.deps, f, 6, perfect);
    const before = await judgePromotion(t.app.deps, candidate, active);
    expect(before.itemsPerModality.map((m) => m.count)).toEqual([24, 24]);
    const called: string[] = [];
    const after = await judgePromotion(t.app.deps, candidate, active, {
      ensureEmbedded: async (modelId) => {
        called.push(modelId);
        if (modelId === active.id) await embedItems(t.app.deps, modelId, late, perfect);
      },
    });
    expect(called).toEqual([candidate.id, active.id]);
    expect(after.itemsPerModality.map((m) => m.count)).toEqual([28, 28]);
    expect(after.queries).toBe(56);
  });

  it('does not judge a tiny split: promoted without judgement, saying why', async () => {
    const v1 = await createModel(t.app.deps, tiny, 1, perfect);
    expect((await promote(v1.id)).data.promoteModel.errors).toEqual([]);
    const v2 = await createModel(t.app.deps, tiny, 2, reversed);
    const promoted = await promote(v2.id);
    expect(promoted.data.promoteModel.model).toEqual({ id: v2.id, status: 'ACTIVE' });
    const { gate } = await gateOf(v2.id);
    expect(gate).toMatchObject({
      verdict: 'NOT_JUDGED',
      reason: `promoted without judgement: 6 test items per modality (image 6, text 6), fewer than ${MIN_ITEMS}`,
      queries: 12,
    });
    // The figures are still reported: 3 relevant of 6, all ranked last.
    expect(gate!.candidateMap).toBeCloseTo(apRelevantLast(3, 3), TOLERANCE);
  });

  it('lets an admin force a refused candidate, recording FORCED', async () => {
    const worse = await createModel(t.app.deps, f, 7, reversed);
    expect((await promote(worse.id)).data.promoteModel.errors[0]?.code).toBe('FAILED_PRECONDITION');
    const forced = await promote(worse.id, true);
    expect(forced.data.promoteModel.model).toEqual({ id: worse.id, status: 'ACTIVE' });
    expect((await gateOf(worse.id)).gate?.verdict).toBe('FORCED');
  });
});
