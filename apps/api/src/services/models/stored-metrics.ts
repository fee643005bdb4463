/**
 * The held-out evaluation as stored in `model.metrics` when a run's model is stored: directions,
 * classes and sites by name with their ids alongside (no per-query arrays).
 */
import type { Evaluation, ModelEvaluation } from './evaluate-models.ts';

export function storedMetrics(
  evaluation: Evaluation,
  model: ModelEvaluation,
): Record<string, unknown> {
  return {
    meanMap: model.meanMap,
    k: evaluation.k,
    testItems: evaluation.itemsPerModality,
    evaluatedAt: evaluation.evaluatedAt.toISOString(),
    directions: Object.fromEntries(
      model.directions.map((d) => [
        `${d.query}→${d.target}`,
        {
          map: d.map,
          queries: d.queries,
          precisionAt10: d.precisionAt10,
          recallAt10: d.recallAt10,
          perClass: d.perClass.map((c) => ({
            label: { id: c.label.id, name: c.label.name, index: c.label.index },
            map: c.map,
            queries: c.queries,
          })),
          perSite: d.perSite.map((s) => ({
            site: { id: s.site.id, name: s.site.name },
            map: s.map,
            queries: s.queries,
          })),
        },
      ]),
    ),
  };
}
