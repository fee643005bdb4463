import { authorize } from '../../auth/principal.ts';
import type { Resolvers } from '../../generated/resolvers-types.ts';
import {
  createDataset,
  describeImageFeaturiser,
  describeModalityFeaturisers,
} from '../../services/datasets/create-dataset.ts';
import { importedFeaturesOf } from '../../services/datasets/imported-features.ts';
import { deleteDataset } from '../../services/datasets/delete-dataset.ts';
import { createLabel, deleteLabel, renameLabel } from '../../services/datasets/manage-labels.ts';
import { createSite, deleteSite, updateSite } from '../../services/datasets/manage-sites.ts';
import { readRetrainPolicy } from '../../services/datasets/retrain-policy.ts';
import { setRetrainPolicy } from '../../services/datasets/set-retrain-policy.ts';
import { updateDataset } from '../../services/datasets/update-dataset.ts';
import { decodeCursor, pageSize, toConnection } from '../connection.ts';
import { uuid } from '../ids.ts';
import { payload, query } from '../payload.ts';

export const datasetResolvers: Resolvers = {
  Query: {
    dataset: (_, args, { principal, loaders }) =>
      query(async () => {
        authorize(principal, 'viewer', args.id);
        return loaders.dataset.load(uuid(args.id, 'dataset'));
      }),
    datasets: (_, args, { deps, principal }) =>
      query(async () => {
        const p = authorize(principal, 'viewer');
        const page = await deps.repos.datasets.list({
          first: pageSize(args.first, deps.env.MAX_PAGE_SIZE),
          afterId: decodeCursor(args.after),
          scope: p.datasetIds,
        });
        return toConnection(page);
      }),
    imageFeaturisers: (_, __, { deps, principal }) =>
      query(async () => {
        authorize(principal, 'viewer');
        return deps.featurisers.list();
      }),
  },
  Mutation: {
    createDataset: (_, { input }, { deps, principal }) =>
      payload('dataset', () => createDataset(deps, principal, input)),
    updateDataset: (_, { id, input }, { deps, principal }) =>
      payload('dataset', () => updateDataset(deps, principal, uuid(id, 'dataset'), input)),
    deleteDataset: (_, { id }, { deps, principal }) =>
      payload('dataset', () => deleteDataset(deps, principal, uuid(id, 'dataset'))),
    setRetrainPolicy: (_, { datasetId, policy }, { deps, principal }) =>
      payload('dataset', () =>
        setRetrainPolicy(deps, principal, uuid(datasetId, 'dataset'), policy),
      ),
    createSite: (_, { datasetId, input }, { deps, principal }) =>
      payload('site', () => createSite(deps, principal, uuid(datasetId, 'dataset'), input)),
    updateSite: (_, { id, input }, { deps, principal }) =>
      payload('site', () => updateSite(deps, principal, uuid(id, 'site'), input)),
    deleteSite: (_, { id }, { deps, principal }) =>
      payload('site', () => deleteSite(deps, principal, uuid(id, 'site'))),
    createLabel: (_, { datasetId, name }, { deps, principal }) =>
      payload('label', () => createLabel(deps, principal, uuid(datasetId, 'dataset'), name)),
    renameLabel: (_, { id, name }, { deps, principal }) =>
      payload('label', () => renameLabel(deps, principal, uuid(id, 'label'), name)),
    deleteLabel: (_, { id }, { deps, principal }) =>
      payload('label', () => deleteLabel(deps, principal, uuid(id, 'label'))),
  },
  Dataset: {
    featurisers: (dataset) => dataset.featurisers,
    // An imported image modality has no CNN (modalityFeaturisers describes it).
    imageFeaturiser: (dataset, _, { deps }) =>
      dataset.modalities.includes('image') && !importedFeaturesOf(dataset).has('image')
        ? describeImageFeaturiser(deps, dataset)
        : null,
    modalityFeaturisers: (dataset, _, { deps }) => describeModalityFeaturisers(deps, dataset),
    retrainPolicy: (dataset) => readRetrainPolicy(dataset.retrainPolicy),
    activeModel: (dataset, _, { loaders }) =>
      dataset.activeModelId ? loaders.model.load(dataset.activeModelId) : null,
    sites: (dataset, _, { deps }) => deps.repos.datasets.listSites(dataset.id),
    labels: (dataset, _, { deps }) => deps.repos.datasets.listLabels(dataset.id),
    itemCount: (dataset, _, { deps }) => deps.repos.items.count({ datasetId: dataset.id }),
    counts: (dataset, _, { loaders }) => loaders.itemCounts.load(dataset.id),
  },
  DatasetCounts: {
    ready: (counts) => counts.byStatus.READY,
    pending: (counts) => counts.byStatus.PENDING,
    failed: (counts) => counts.byStatus.FAILED,
  },
  SiteCount: {
    site: async (count, _, { loaders }) => (await loaders.site.load(count.siteId))!,
  },
  LabelCount: {
    label: async (count, _, { loaders }) => (await loaders.label.load(count.labelId))!,
  },
  Site: {
    dataset: async (site, _, { loaders }) => (await loaders.dataset.load(site.datasetId))!,
  },
};
