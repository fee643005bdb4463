/**
 * The promotion gate: candidate and active model evaluated on the same held-out items (the
 * dataset's current TEST items both have embedded), the per-query AP differences of both
 * directions pooled and bootstrapped (paired, seeded). The candidate is refused only when the
 * interval's upper bound lies below −margin; with too few shared items the gate does not judge.
 */
import { Rng } from '@concord/drcl';
import type { Model } from '@concord/db';
import type { AppDeps } from '../../context.ts';
import { evaluateModels } from './evaluate-models.ts';
import { pairedBootstrap } from './paired-bootstrap.ts';

export type GateVerdict = 'PROMOTE' | 'REFUSE' | 'NOT_JUDGED' | 'FIRST_MODEL' | 'FORCED';

/** Stored on the candidate as `model.gate` (JSON) and served as `Model.gate`. */
export interface PromotionGate {
  verdict: GateVerdict;
  activeModelId: string | null;
  activeVersion: number | null;
  /** Mean AP over every query of every direction on the shared items. */
  candidateMap: number | null;
  activeMap: number | null;
  difference: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  confidence: number;
  margin: number;
  samples: number;
  minItems: number;
  itemsPerModality: { modality: string; count: number }[];
  queries: number;
  reason: string;
  evaluatedAt: string;
}

export interface JudgeOptions {
  /** Embeds what a model is missing of the held-out items before evaluating (both models). */
  ensureEmbedded?: (modelId: string) => Promise<void>;
}

/** Fixed seed: the same models on the same items always get the same interval. */
export const GATE_SEED = Rng.derive(18, 'promotion-gate').getState();

export async function judgePromotion(
  deps: AppDeps,
  candidate: Model,
  active: Model | null,
  options: JudgeOptions = {},
): Promise<PromotionGate> {
  const { env } = deps;
  const base = unjudged(deps, active);
  if (!active)
    return { ...base, verdict: 'FIRST_MODEL', reason: 'no active model to compare with' };
  await options.ensureEmbedded?.(candidate.id);
  await options.ensureEmbedded?.(active.id);
  const evaluation = await evaluateModels(deps, [candidate, active]);
  const itemsPerModality = Object.entries(evaluation.itemsPerModality).map(([modality, count]) => ({
    modality,
    count,
  }));
  const fewest = Math.min(...itemsPerModality.map((m) => m.count));
  const counts = itemsPerModality.map((m) => `${m.modality} ${m.count}`).join(', ');
  const tooFew = (gate: Omit<PromotionGate, 'verdict' | 'reason'>): PromotionGate => ({
    ...gate,
    itemsPerModality,
    verdict: 'NOT_JUDGED',
    reason: `promoted without judgement: ${fewest} test items per modality (${counts}), fewer than ${env.PROMOTION_MIN_TEST_ITEMS}`,
  });
  const [c, a] = evaluation.models;
  const cAp = c!.directions.flatMap((d) => [...d.apPerQuery]);
  const aAp = a!.directions.flatMap((d) => [...d.apPerQuery]);
  if (itemsPerModality.length === 0 || cAp.every(Number.isNaN)) return tooFew({ ...base });
  const ci = pairedBootstrap(cAp, aAp, {
    samples: env.PROMOTION_BOOTSTRAP_SAMPLES,
    confidence: env.PROMOTION_CONFIDENCE,
    seed: GATE_SEED,
  });
  const mean = (values: number[]) => {
    const kept = values.filter((v) => !Number.isNaN(v));
    return kept.reduce((s, v) => s + v, 0) / kept.length;
  };
  const figures = {
    ...base,
    itemsPerModality,
    candidateMap: mean(cAp),
    activeMap: mean(aAp),
    difference: ci.mean,
    ciLow: ci.low,
    ciHigh: ci.high,
    queries: ci.pairs,
  };
  if (fewest < env.PROMOTION_MIN_TEST_ITEMS) return tooFew(figures);
  const interval = `mAP ${fmt(figures.candidateMap)} vs ${fmt(figures.activeMap)} of the active v${active.version} on the same ${counts} held-out items, difference ${signed(ci.mean)}, ${Math.round(env.PROMOTION_CONFIDENCE * 100)} % CI [${signed(ci.low)}, ${signed(ci.high)}] over ${ci.pairs} queries`;
  return ci.high < -env.PROMOTION_MARGIN
    ? {
        ...figures,
        verdict: 'REFUSE',
        reason: `worse beyond the margin ${env.PROMOTION_MARGIN}: ${interval}`,
      }
    : {
        ...figures,
        verdict: 'PROMOTE',
        reason: `not worse beyond the margin ${env.PROMOTION_MARGIN}: ${interval}`,
      };
}

/** A verdict's settings and the active model, before any figure is measured. */
export function unjudged(
  deps: Pick<AppDeps, 'env'>,
  active: Model | null,
): Omit<PromotionGate, 'verdict' | 'reason'> {
  const { env } = deps;
  return {
    activeModelId: active?.id ?? null,
    activeVersion: active?.version ?? null,
    candidateMap: null,
    activeMap: null,
    difference: null,
    ciLow: null,
    ciHigh: null,
    confidence: env.PROMOTION_CONFIDENCE,
    margin: env.PROMOTION_MARGIN,
    samples: env.PROMOTION_BOOTSTRAP_SAMPLES,
    minItems: env.PROMOTION_MIN_TEST_ITEMS,
    itemsPerModality: [],
    queries: 0,
    evaluatedAt: new Date().toISOString(),
  };
}

/** Whether the candidate may become active on this verdict. */
export function allowsPromotion(gate: PromotionGate): boolean {
  return gate.verdict !== 'REFUSE';
}

const fmt = (value: number) => value.toFixed(4);
const signed = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(4)}`;
