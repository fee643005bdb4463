/**
 * Held-out evaluation over the database: one or more models of a dataset on the same items — the
 * dataset's current READY TEST items that every one of them has embedded — in every direction
 * between the modalities they share (image→text, text→image). Per model: mean mAP, per direction
 * mAP, P@10, R@10 and P@K/R@K at the K asked for, and mAP per class and per site by name.
 */
import { evaluateRetrieval, type RetrievalMetrics, type RetrievalSet } from '@concord/drcl';
import type { HeldOutItem, Label, Model, Site } from '@concord/db';
import type { AppDeps } from '../../context.ts';
import { badInput } from '../../errors.ts';

export const MAX_EVALUATION_K = 1000;

export interface ClassFigure {
  label: Label;
  map: number;
  queries: number;
}

export interface SiteFigure {
  site: Site;
  map: number;
  queries: number;
}

export interface DirectionEvaluation {
  query: string;
  target: string;
  /** mAP over the whole ranked target set (mAP@all). */
  map: number;
  queries: number;
  precisionAt10: number;
  recallAt10: number;
  /** The K asked for, capped at the target set's size. */
  k: number;
  precisionAtK: number;
  recallAtK: number;
  perClass: ClassFigure[];
  perSite: SiteFigure[];
  /** AP of every query at K = all (NaN for a skipped query), in held-out item order. */
  apPerQuery: Float64Array;
}

export interface ModelEvaluation {
  modelId: string;
  /** Mean of the directions' mAP. */
  meanMap: number;
  directions: DirectionEvaluation[];
}

export interface Evaluation {
  k: number;
  /** Held-out items per shared modality (the same for every model). */
  itemsPerModality: Record<string, number>;
  models: ModelEvaluation[];
  evaluatedAt: Date;
}

/** One model's evaluation with the figures shared by every model evaluated beside it. */
export type ModelReport = ModelEvaluation & Omit<Evaluation, 'models'>;

/** `Model.evaluation(k)`: one model on the current held-out items it has embedded. */
export async function evaluateModel(deps: AppDeps, model: Model, k: number): Promise<ModelReport> {
  const { models, ...shared } = await evaluateModels(deps, [model], { k });
  return { ...shared, ...models[0]! };
}

export function validateK(k: number): number {
  if (!Number.isInteger(k) || k < 1 || k > MAX_EVALUATION_K) {
    throw badInput(`k must be an integer in 1..${MAX_EVALUATION_K}, not ${k}.`, ['k']);
  }
  return k;
}

/** Evaluates `models` (of one dataset) on the held-out items all of them have embedded. */
export async function evaluateModels(
  deps: AppDeps,
  models: readonly Model[],
  options: { k?: number } = {},
): Promise<Evaluation> {
  const k = validateK(options.k ?? 10);
  const datasetId = models[0]?.datasetId;
  if (!datasetId || models.some((m) => m.datasetId !== datasetId)) {
    throw badInput('Give one or more models of the same dataset.');
  }
  const { repos } = deps;
  const [items, labels, sites, modalities] = await Promise.all([
    repos.heldOut.items(
      datasetId,
      models.map((m) => m.id),
    ),
    repos.datasets.listLabels(datasetId),
    repos.datasets.listSites(datasetId),
    sharedModalities(deps, models),
  ]);
  const byModality = new Map(modalities.map((name) => [name, [] as HeldOutItem[]]));
  for (const item of items) byModality.get(item.modality)?.push(item);
  const names = { labels: new Map(labels.map((l) => [l.index, l])), sites };
  const numClasses = Math.max(
    0,
    ...labels.map((l) => l.index + 1),
    ...items.flatMap((i) => i.labelIndices.map((c) => c + 1)),
  );
  const evaluations: ModelEvaluation[] = [];
  for (const model of models) {
    const sets = new Map<string, RetrievalSet>();
    for (const [modality, members] of byModality) {
      if (members.length === 0) continue;
      const vectors = await repos.heldOut.vectors(
        model.id,
        model.dimension,
        members.map((m) => m.id),
      );
      sets.set(modality, retrievalSet(members, vectors, model.dimension, numClasses, sites));
    }
    const directions: DirectionEvaluation[] = [];
    for (const [query, q] of sets) {
      for (const [target, t] of sets) {
        if (query === target) continue;
        directions.push(direction(query, target, q, t, k, byModality.get(query)!, names));
      }
    }
    const meanMap = directions.reduce((sum, d) => sum + d.map, 0) / Math.max(1, directions.length);
    evaluations.push({ modelId: model.id, meanMap, directions });
  }
  return {
    k,
    itemsPerModality: Object.fromEntries([...byModality].map(([m, list]) => [m, list.length])),
    models: evaluations,
    evaluatedAt: new Date(),
  };
}

/** The modalities every model has a network for, in the dataset's order of names. */
async function sharedModalities(deps: AppDeps, models: readonly Model[]): Promise<string[]> {
  const lists = await Promise.all(models.map((m) => deps.repos.models.modalities(m.id)));
  const [first, ...rest] = lists.map((list) => list.map((m) => m.modality));
  return (first ?? []).filter((name) => rest.every((list) => list.includes(name))).sort();
}

function retrievalSet(
  members: HeldOutItem[],
  embeddings: Float32Array,
  dim: number,
  numClasses: number,
  sites: readonly Site[],
): RetrievalSet {
  const labels = new Float32Array(members.length * numClasses);
  const siteIndex = new Map(sites.map((s, i) => [s.id, i]));
  members.forEach((item, row) => {
    for (const c of item.labelIndices) labels[row * numClasses + c] = 1;
  });
  const siteIds = Int32Array.from(members, (item) => siteIndex.get(item.siteId) ?? -1);
  return { embeddings, dim, labels, numClasses, siteIds };
}

function direction(
  query: string,
  target: string,
  q: RetrievalSet,
  t: RetrievalSet,
  k: number,
  members: HeldOutItem[],
  names: { labels: Map<number, Label>; sites: readonly Site[] },
): DirectionEvaluation {
  const all = evaluateRetrieval(q, t);
  const at10 = evaluateRetrieval(q, t, { k: 10 });
  const atK = k === 10 ? at10 : evaluateRetrieval(q, t, { k });
  return {
    query,
    target,
    map: all.map,
    queries: all.queries,
    precisionAt10: at10.precisionAtK,
    recallAt10: at10.recallAtK,
    k: atK.k,
    precisionAtK: atK.precisionAtK,
    recallAtK: atK.recallAtK,
    perClass: perClass(all, members, names.labels),
    perSite: perSite(all, q.siteIds!, names.sites),
    apPerQuery: all.apPerQuery,
  };
}

function perClass(
  metrics: RetrievalMetrics,
  members: HeldOutItem[],
  labels: Map<number, Label>,
): ClassFigure[] {
  const counts = new Map<number, number>();
  members.forEach((item, i) => {
    if (Number.isNaN(metrics.apPerQuery[i])) return;
    for (const c of item.labelIndices) counts.set(c, (counts.get(c) ?? 0) + 1);
  });
  return Object.entries(metrics.perClass).flatMap(([index, map]) => {
    const label = labels.get(Number(index));
    return label ? [{ label, map, queries: counts.get(Number(index)) ?? 0 }] : [];
  });
}

function perSite(
  metrics: RetrievalMetrics,
  siteIds: Int32Array,
  sites: readonly Site[],
): SiteFigure[] {
  const counts = new Map<number, number>();
  siteIds.forEach((s, i) => {
    if (!Number.isNaN(metrics.apPerQuery[i])) counts.set(s, (counts.get(s) ?? 0) + 1);
  });
  return Object.entries(metrics.perSite).flatMap(([index, map]) => {
    const site = sites[Number(index)];
    return site ? [{ site, map, queries: counts.get(Number(index)) ?? 0 }] : [];
  });
}
