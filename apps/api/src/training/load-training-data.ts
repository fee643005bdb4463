/**
 * The dataset as the training thread needs it: per modality, feature matrices for the TRAIN and
 * VALIDATION splits, every READY item (to embed) and the TEST rows (to evaluate). Image features
 * come from ingestion; text features from an LSA model fitted here on the TRAIN texts.
 */
import type { Repositories, TrainingItem } from '@concord/db';
import { fitLsa, type LsaModel } from '@concord/features';
import { AppError } from '../errors.ts';
import type { ModalityInput } from './protocol.ts';

export interface TrainingData {
  numClasses: number;
  modalities: ModalityInput[];
  /** Item ids per modality, in the row order of `all`. */
  itemIds: Record<string, string[]>;
  featurisers: Record<string, { id: string; version: string; state: Uint8Array | null }>;
  /** The fitted text featuriser, for the model. */
  lsa: LsaModel | null;
}

export async function loadTrainingData(
  repos: Repositories,
  datasetId: string,
  imageFeaturiserId: string,
  textDimensions: number,
  seed: number,
): Promise<TrainingData> {
  const [dataset, labels, sites, items] = await Promise.all([
    repos.datasets.findById(datasetId),
    repos.datasets.listLabels(datasetId),
    repos.datasets.listSites(datasetId),
    repos.items.trainingItems(datasetId, imageFeaturiserId),
  ]);
  if (!dataset) throw new AppError('NOT_FOUND', `Unknown dataset id: ${datasetId}`);
  const numClasses = labels.length;
  if (numClasses < 2)
    throw new AppError('FAILED_PRECONDITION', 'Training needs at least two labels.');
  const siteIndex = new Map(sites.map((site, i) => [site.id, i]));
  const featurisers: TrainingData['featurisers'] = {};
  const itemIds: Record<string, string[]> = {};
  const modalities: ModalityInput[] = [];
  let lsa: LsaModel | null = null;

  for (const modality of dataset.modalities) {
    let rows = items.filter((item) => item.modality === modality && item.labelIndices.length > 0);
    let features: Float32Array[];
    if (modality === 'text') {
      const trainTexts = rows.filter((r) => r.split === 'TRAIN').map((r) => r.text ?? '');
      if (trainTexts.length < 2)
        throw new AppError('FAILED_PRECONDITION', 'Training needs TRAIN text items.');
      lsa = fitLsa(trainTexts, { dims: textDimensions, seed });
      features = rows.map((r) => lsa!.featuriseOne(r.text ?? ''));
      featurisers.text = { id: lsa.id, version: lsa.version, state: lsa.toBytes() };
    } else {
      rows = rows.filter((r) => r.features !== null);
      features = rows.map((r) => r.features!);
      featurisers[modality] = { id: imageFeaturiserId, version: 'ingested', state: null };
    }
    const dim = features[0]?.length ?? 0;
    if (rows.length === 0 || dim === 0)
      throw new AppError('FAILED_PRECONDITION', `No featurised ${modality} items to train on.`);
    const all = concat(features, dim);
    const split = (name: TrainingItem['split']) =>
      rows.map((r, i) => (r.split === name ? i : -1)).filter((i) => i >= 0);
    const pick = (indices: number[]) => ({
      features: concat(
        indices.map((i) => features[i]!),
        dim,
      ),
      dim,
      labels: labelMatrix(
        indices.map((i) => rows[i]!),
        numClasses,
      ),
      siteIds: Int32Array.from(indices, (i) => siteIndex.get(rows[i]!.siteId) ?? 0),
    });
    const train = split('TRAIN');
    if (train.length < 2)
      throw new AppError('FAILED_PRECONDITION', `Training needs TRAIN ${modality} items.`);
    const validation = split('VALIDATION');
    const test = split('TEST');
    const testSet = pick(test);
    modalities.push({
      name: modality,
      train: pick(train),
      ...(validation.length > 0 ? { validation: pick(validation) } : {}),
      all: { features: all, dim },
      test: { rows: Int32Array.from(test), labels: testSet.labels, siteIds: testSet.siteIds },
    });
    itemIds[modality] = rows.map((r) => r.id);
  }
  return { numClasses, modalities, itemIds, featurisers, lsa };
}

function concat(rows: Float32Array[], dim: number): Float32Array {
  const out = new Float32Array(rows.length * dim);
  rows.forEach((row, i) => out.set(row, i * dim));
  return out;
}

function labelMatrix(rows: TrainingItem[], numClasses: number): Float32Array {
  const out = new Float32Array(rows.length * numClasses);
  rows.forEach((row, i) => row.labelIndices.forEach((c) => (out[i * numClasses + c] = 1)));
  return out;
}
