import type { Modality, Resolvers } from '../../generated/resolvers-types.ts';
import { evaluateModel } from '../../services/models/evaluate-models.ts';
import type { PromotionGate } from '../../services/models/judge-promotion.ts';
import { meanMapOf, promoteModel } from '../../services/models/promote-model.ts';
import { rollbackModel } from '../../services/models/rollback-model.ts';
import { uuid } from '../ids.ts';
import { payload, query } from '../payload.ts';
import { datasetConnection, readable } from '../reads.ts';

const modality = (name: string): Modality => (name === 'image' ? 'IMAGE' : 'TEXT');

export const modelResolvers: Resolvers = {
  Query: {
    model: (_, { id }, { principal, loaders }) =>
      query(() => readable(principal, () => loaders.model.load(uuid(id, 'model')))),
    models: (_, args, ctx) =>
      query(() =>
        datasetConnection(ctx, args, (datasetId, page) =>
          ctx.deps.repos.models.list(datasetId, page),
        ),
      ),
  },
  Mutation: {
    promoteModel: (_, { modelId, force }, { deps, principal }) =>
      payload('model', () => promoteModel(deps, principal, uuid(modelId, 'model'), force ?? false)),
    rollbackModel: (_, { datasetId }, { deps, principal }) =>
      payload('model', () => rollbackModel(deps, principal, uuid(datasetId, 'dataset'))),
  },
  Model: {
    dataset: async (model, _, { loaders }) => (await loaders.dataset.load(model.datasetId))!,
    config: (model) => model.config,
    metrics: (model) => model.metrics,
    meanMap: (model) => meanMapOf(model),
    evaluation: (model, { k }, { deps }) => query(() => evaluateModel(deps, model, k ?? 10)),
    gate: (model) => (model.gate as PromotionGate | null) ?? null,
    priorSource: (model) => model.priorSource,
    trainingRun: (model, _, { loaders }) =>
      model.trainingRunId ? loaders.run.load(model.trainingRunId) : null,
    embeddingCount: (model, _, { deps }) => deps.db.embeddings.count(model.id),
  },
  PromotionGate: {
    activeModel: (gate, _, { loaders }) =>
      gate.activeModelId ? loaders.model.load(gate.activeModelId) : null,
    bootstrapSamples: (gate) => gate.samples,
    minTestItems: (gate) => gate.minItems,
    evaluatedAt: (gate) => new Date(gate.evaluatedAt),
  },
  ModelEvaluation: {
    itemsPerModality: (report) =>
      Object.entries(report.itemsPerModality).map(([name, count]) => ({ modality: name, count })),
  },
  DirectionEvaluation: {
    query: (direction) => modality(direction.query),
    target: (direction) => modality(direction.target),
  },
};
