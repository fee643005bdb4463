/**
 * The feature vectors a job needs, loaded from the database by the snapshot's item ids (the
 * snapshot holds none): a unit loads its modality's TRAIN and VALIDATION rows, the assemble step
 * every row of every modality. Ids go FEATURE_BATCH per query, each vector straight into its row
 * of one matrix. Image vectors are the feature_vector rows; text vectors are recomputed from the
 * stored texts with the snapshot's fitted LSA.
 *
 * Reloading gives the vectors the run was planned with because an item's features never change
 * once stored: a feature_vector row is only written with its item (`createItemIn`), `updateItem`
 * changes site, split, metadata and labels only, and an item's text cannot be edited. Split, site
 * and labels come from the snapshot, so relabelling after planning does not reach a run either.
 */
import { LsaModel } from '@concord/features';
import type { AppDeps } from '../context.ts';
import { AppError } from '../errors.ts';
import { featuriseText, labelledSplit, rowsIn, type ModalitySet } from './load-training-data.ts';
import type { EmbedModality, UnitModality } from './protocol.ts';
import type { RunSnapshot } from './training-state.ts';

export const FEATURE_BATCH = 2_000;

interface LoadedRows {
  /** rows × dim; the rows of missing items stay zero. */
  features: Float32Array;
  /** Positions (in the rows asked for) whose item no longer exists. */
  missing: number[];
}

/**
 * One modality's TRAIN and VALIDATION splits for a training unit. Every unit of a run must train on
 * the same items, so an item deleted since planning fails the run (its reason names how many):
 * leaving it out would train the units that ran before the deletion and those after it on
 * different sets.
 */
export async function loadUnitModality(
  deps: AppDeps,
  snapshot: RunSnapshot,
  set: ModalitySet,
): Promise<UnitModality> {
  const { numClasses } = snapshot.data;
  const trainRows = rowsIn(set, 'TRAIN');
  const validationRows = rowsIn(set, 'VALIDATION');
  const vectorsOf = vectorSource(deps, snapshot, set.name);
  const train = await loadRows(vectorsOf, set, trainRows);
  const validation = validationRows.length ? await loadRows(vectorsOf, set, validationRows) : null;
  const missing = train.missing.length + (validation?.missing.length ?? 0);
  if (missing > 0)
    throw new AppError(
      'FAILED_PRECONDITION',
      `${missing} of the ${trainRows.length + validationRows.length} ${set.name} training items this run was planned with ${missing === 1 ? 'was' : 'were'} deleted since; every unit must train on the same items, so the run stops. Start a new run.`,
    );
  return {
    name: set.name,
    train: labelledSplit(set, trainRows, numClasses, train.features),
    ...(validation
      ? { validation: labelledSplit(set, validationRows, numClasses, validation.features) }
      : {}),
  };
}

/**
 * Every row of each modality, to embed. Training is over by then,
 * so items deleted since planning are left out (nothing left to embed them for) and reported via
 * `onMissing`; `itemIds` are the ids kept, in the row order of `all`.
 */
export async function loadEmbedModalities(
  deps: AppDeps,
  snapshot: RunSnapshot,
  onMissing: (modality: string, missing: number, planned: number) => Promise<void>,
): Promise<{ modalities: EmbedModality[]; itemIds: Record<string, string[]> }> {
  const modalities: EmbedModality[] = [];
  const itemIds: Record<string, string[]> = {};
  for (const planned of snapshot.data.modalities) {
    const rows = planned.itemIds.map((_, i) => i);
    const loaded = await loadRows(vectorSource(deps, snapshot, planned.name), planned, rows);
    const { missing } = loaded;
    let { features } = loaded;
    let set = planned;
    if (missing.length > 0) {
      await onMissing(planned.name, missing.length, rows.length);
      const gone = new Set(missing);
      const kept = rows.filter((row) => !gone.has(row));
      features = gatherRows(features, planned.dim, kept);
      set = subset(planned, kept);
    }
    modalities.push({ name: set.name, all: { features, dim: set.dim } });
    itemIds[set.name] = set.itemIds;
  }
  return { modalities, itemIds };
}

/**
 * The feature buffers of what this module loaded, to move to the training thread rather than copy
 * (each is a fresh ArrayBuffer of its own matrix, never shared).
 */
export function featureBuffers(features: readonly Float32Array[]): ArrayBuffer[] {
  return features.map((f) => f.buffer as ArrayBuffer);
}

type VectorSource = (ids: string[]) => Promise<Map<string, Float32Array>>;

async function loadRows(
  vectorsOf: VectorSource,
  set: ModalitySet,
  rows: readonly number[],
): Promise<LoadedRows> {
  const features = new Float32Array(rows.length * set.dim);
  const missing: number[] = [];
  for (let start = 0; start < rows.length; start += FEATURE_BATCH) {
    const ids = rows.slice(start, start + FEATURE_BATCH).map((row) => set.itemIds[row]!);
    const vectors = await vectorsOf(ids);
    ids.forEach((id, i) => {
      const vector = vectors.get(id);
      if (!vector) missing.push(start + i);
      else if (vector.length !== set.dim)
        throw new Error(`item ${id} has ${vector.length} ${set.name} features, the run ${set.dim}`);
      else features.set(vector, (start + i) * set.dim);
    });
  }
  return { features, missing };
}

/** Where one modality's vectors come from: ingested rows, or the snapshot's fitted LSA. */
function vectorSource(deps: AppDeps, snapshot: RunSnapshot, modality: string): VectorSource {
  const featuriser = snapshot.data.featurisers[modality];
  if (!featuriser) throw new Error(`the run's snapshot has no featuriser for ${modality}`);
  if (featuriser.state === null)
    return (ids) => deps.repos.items.featureVectorsOf(ids, featuriser.id);
  const lsa = LsaModel.fromBytes(featuriser.state);
  return async (ids) => {
    const texts = await deps.repos.items.textsOf(ids);
    return new Map([...texts].map(([id, text]) => [id, featuriseText(lsa, text)]));
  };
}

function gatherRows(features: Float32Array, dim: number, rows: readonly number[]): Float32Array {
  const out = new Float32Array(rows.length * dim);
  rows.forEach((row, i) => out.set(features.subarray(row * dim, (row + 1) * dim), i * dim));
  return out;
}

function subset(set: ModalitySet, rows: readonly number[]): ModalitySet {
  const labelStarts = new Int32Array(rows.length + 1);
  const labels: number[] = [];
  rows.forEach((row, i) => {
    labels.push(...set.labels.subarray(set.labelStarts[row], set.labelStarts[row + 1]));
    labelStarts[i + 1] = labels.length;
  });
  return {
    name: set.name,
    dim: set.dim,
    itemIds: rows.map((row) => set.itemIds[row]!),
    splits: Uint8Array.from(rows, (row) => set.splits[row]!),
    siteIds: Int32Array.from(rows, (row) => set.siteIds[row]!),
    labelStarts,
    labels: Int32Array.from(labels),
  };
}
