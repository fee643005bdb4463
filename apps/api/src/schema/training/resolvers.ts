import type { Resolvers } from '../../generated/resolvers-types.ts';
import { cancelTrainingRun } from '../../services/training/cancel-training-run.ts';
import { startTrainingRun } from '../../services/training/start-training-run.ts';
import { watchTrainingRun } from '../../services/training/watch-training-run.ts';
import { uuid } from '../ids.ts';
import { payload, query } from '../payload.ts';
import { datasetConnection, readable } from '../reads.ts';

export const trainingResolvers: Resolvers = {
  Query: {
    trainingRun: (_, { id }, { principal, loaders }) =>
      query(() => readable(principal, () => loaders.run.load(uuid(id, 'training run')))),
    trainingRuns: (_, args, ctx) =>
      query(() =>
        datasetConnection(ctx, args, (datasetId, page) =>
          ctx.deps.repos.runs.list(datasetId, page),
        ),
      ),
  },
  Mutation: {
    startTrainingRun: (_, { datasetId, config }, { deps, principal }) =>
      payload('run', () =>
        startTrainingRun(deps, principal, uuid(datasetId, 'dataset'), config ?? null),
      ),
    cancelTrainingRun: (_, { id }, { deps, principal }) =>
      payload('run', () => cancelTrainingRun(deps, principal, uuid(id, 'training run'))),
  },
  Subscription: {
    trainingRunProgress: {
      subscribe: (_, { id }, { deps, principal }) =>
        watchTrainingRun(deps, principal, uuid(id, 'training run')),
      resolve: (run: unknown) => run as never,
    },
  },
  TrainingRun: {
    dataset: async (run, _, { loaders }) => (await loaders.dataset.load(run.datasetId))!,
    config: (run) => run.config,
    epochs: (run, _, { deps }) => deps.repos.runs.epochs(run.id),
    priorCandidates: (run) => run.priorCandidates,
    selectedPrior: (run) => run.selectedPrior,
    logs: (run) => run.logs,
    model: (run, _, { deps }) => deps.repos.models.findByRun(run.id),
  },
  TrainingEpoch: {
    metrics: (epoch) => epoch.metrics,
  },
};
