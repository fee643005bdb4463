/**
 * What defines a run's training set, taken once when the run is planned: per modality the items in
 * row order with their split, site and labels, and the fitted text featuriser — no feature vectors.
 * Image features come from ingestion; text features from an LSA model fitted here on the TRAIN
 * texts; an imported modality's (either) from the vectors given at ingestion, as they are. Each
 * job loads the vectors of the rows it needs by id (`load-modality-rows.ts`).
 */
import type { LabelledSplit } from '@concord/drcl';
import type { Repositories, TrainingItem } from '@concord/db';
import { fitLsa, type LsaModel } from '@concord/features';
import { AppError } from '../errors.ts';
import {
  IMPORTED_VERSION,
  type DatasetModality,
  type ImportedFeatures,
} from '../services/datasets/imported-features.ts';

export const SPLITS = ['TRAIN', 'VALIDATION', 'TEST'] as const satisfies TrainingItem['split'][];

/** One modality's items, in the row order every job of the run uses. */
export interface ModalitySet {
  name: string;
  /** Feature size: the ingested vectors' dimension, or the fitted LSA's. */
  dim: number;
  itemIds: string[];
  /** Per row: index into SPLITS. */
  splits: Uint8Array;
  /** Per row: the site's index among the dataset's sites at planning. */
  siteIds: Int32Array;
  /** The label indices of row i are labels[labelStarts[i]] … labels[labelStarts[i + 1] − 1]. */
  labelStarts: Int32Array;
  labels: Int32Array;
}

export interface TrainingSet {
  numClasses: number;
  /**
   * The dataset's sites at planning, in the order `siteIds` index them (absent from snapshots
   * planned before sites were named in prior scores).
   */
  sites?: { id: string; name: string }[];
  modalities: ModalitySet[];
  /** Per modality; `state` is the fitted LSA's bytes for text, null for stored vectors. */
  featurisers: Record<string, { id: string; version: string; state: Uint8Array | null }>;
}

export async function loadTrainingSet(
  repos: Repositories,
  datasetId: string,
  imageFeaturiserId: string,
  textDimensions: number,
  seed: number,
  /** The dataset's imported modalities (their vectors are trained on as stored). */
  imported: ReadonlyMap<DatasetModality, ImportedFeatures> = new Map(),
): Promise<TrainingSet> {
  const vectorIds = [imageFeaturiserId, ...[...imported.values()].map((f) => f.id)];
  const [dataset, labels, sites, items] = await Promise.all([
    repos.datasets.findById(datasetId),
    repos.datasets.listLabels(datasetId),
    repos.datasets.listSites(datasetId),
    repos.items.trainingMembers(datasetId, [...new Set(vectorIds)]),
  ]);
  if (!dataset) throw new AppError('NOT_FOUND', `Unknown dataset id: ${datasetId}`);
  const numClasses = labels.length;
  if (numClasses < 2)
    throw new AppError('FAILED_PRECONDITION', 'Training needs at least two labels.');
  const siteIndex = new Map(sites.map((site, i) => [site.id, i]));
  const featurisers: TrainingSet['featurisers'] = {};
  const modalities: ModalitySet[] = [];

  for (const modality of dataset.modalities) {
    let rows = items.filter((item) => item.modality === modality && item.labelIndices.length > 0);
    let dim: number;
    const own = imported.get(modality as DatasetModality);
    if (modality === 'text' && !own) {
      const trainTexts = rows.filter((r) => r.split === 'TRAIN').map((r) => r.text ?? '');
      if (trainTexts.length < 2)
        throw new AppError('FAILED_PRECONDITION', 'Training needs TRAIN text items.');
      const lsa = fitLsa(trainTexts, { dims: textDimensions, seed });
      dim = lsa.dims;
      featurisers.text = { id: lsa.id, version: lsa.version, state: lsa.toBytes() };
    } else {
      rows = rows.filter((r) => r.featureDimension !== null);
      dim = rows[0]?.featureDimension ?? 0;
      if (rows.some((r) => r.featureDimension !== dim))
        throw new AppError(
          'FAILED_PRECONDITION',
          `The ${modality} feature vectors differ in size.`,
        );
      featurisers[modality] = own
        ? { id: own.id, version: IMPORTED_VERSION, state: null }
        : { id: imageFeaturiserId, version: 'ingested', state: null };
    }
    if (rows.length === 0 || dim === 0)
      throw new AppError('FAILED_PRECONDITION', `No featurised ${modality} items to train on.`);
    if (rows.filter((r) => r.split === 'TRAIN').length < 2)
      throw new AppError('FAILED_PRECONDITION', `Training needs TRAIN ${modality} items.`);
    const labelStarts = new Int32Array(rows.length + 1);
    rows.forEach((r, i) => (labelStarts[i + 1] = labelStarts[i]! + r.labelIndices.length));
    modalities.push({
      name: modality,
      dim,
      itemIds: rows.map((r) => r.id),
      splits: Uint8Array.from(rows, (r) => SPLITS.indexOf(r.split)),
      siteIds: Int32Array.from(rows, (r) => siteIndex.get(r.siteId) ?? 0),
      labelStarts,
      labels: Int32Array.from(rows.flatMap((r) => r.labelIndices)),
    });
  }
  return {
    numClasses,
    sites: sites.map((site) => ({ id: site.id, name: site.name })),
    modalities,
    featurisers,
  };
}

/** The text featuriser's vector of one stored text (the same at every job of a run). */
export function featuriseText(lsa: LsaModel, text: string | null): Float32Array {
  return lsa.featuriseOne(text ?? '');
}

/** Row indices of one split, in row order. */
export function rowsIn(set: ModalitySet, split: (typeof SPLITS)[number]): number[] {
  const code = SPLITS.indexOf(split);
  const out: number[] = [];
  set.splits.forEach((s, i) => {
    if (s === code) out.push(i);
  });
  return out;
}

/** The labels (multi-hot) and site indices of `rows`, with their `features` (rows × dim). */
export function labelledSplit(
  set: ModalitySet,
  rows: readonly number[],
  numClasses: number,
  features: Float32Array,
): LabelledSplit {
  const labels = new Float32Array(rows.length * numClasses);
  rows.forEach((row, i) => {
    for (let p = set.labelStarts[row]!; p < set.labelStarts[row + 1]!; p++)
      labels[i * numClasses + set.labels[p]!] = 1;
  });
  return {
    features,
    dim: set.dim,
    labels,
    siteIds: Int32Array.from(rows, (row) => set.siteIds[row]!),
  };
}
