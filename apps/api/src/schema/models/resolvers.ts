import { authorize } from '../../auth/principal.ts';
import type { Resolvers } from '../../generated/resolvers-types.ts';
import { meanMapOf, promoteModel } from '../../services/models/promote-model.ts';
import { rollbackModel } from '../../services/models/rollback-model.ts';
import { decodeCursor, pageSize, toConnection } from '../connection.ts';
import { uuid } from '../ids.ts';
import { payload, query } from '../payload.ts';

export const modelResolvers: Resolvers = {
  Query: {
    model: (_, { id }, { principal, loaders }) =>
      query(async () => {
        authorize(principal, 'viewer');
        const model = await loaders.model.load(uuid(id, 'model'));
        if (model) authorize(principal, 'viewer', model.datasetId);
        return model;
      }),
    models: (_, args, { deps, principal }) =>
      query(async () => {
        const datasetId = uuid(args.datasetId, 'dataset');
        authorize(principal, 'viewer', datasetId);
        return toConnection(
          await deps.repos.models.list(datasetId, {
            first: pageSize(args.first, deps.env.MAX_PAGE_SIZE),
            afterId: decodeCursor(args.after),
          }),
        );
      }),
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
    priorSource: (model) => model.priorSource,
    trainingRun: (model, _, { loaders }) =>
      model.trainingRunId ? loaders.run.load(model.trainingRunId) : null,
    embeddingCount: (model, _, { deps }) => deps.db.embeddings.count(model.id),
  },
};
