/**
 * The `training` job, the run's first step: QUEUED → RUNNING, a snapshot of the training set
 * (item ids, splits, sites, labels and the fitted text featuriser, no vectors; taken once, a
 * retried plan reuses it), then the fan-out of the unit jobs. Training itself runs
 * in `training-unit` jobs, one per SPL prior candidate and one per modality's RSC, on whichever
 * workers take them; `assemble-training-run.ts` finishes the run.
 */
import { priorCandidateIds } from '@concord/drcl';
import type { AppDeps } from '../context.ts';
import { AppError } from '../errors.ts';
import { importedFeaturesOf } from '../services/datasets/imported-features.ts';
import { resolveRunConfig } from '../services/training/training-config.ts';
import { advanceTrainingRun } from './advance-training-run.ts';
import { labelledSplit, loadTrainingSet, rowsIn } from './load-training-data.ts';
import { failRun, loadSnapshot, noteFor, saveSnapshot, SNAPSHOT_FORMAT } from './training-state.ts';

export async function planTrainingRun(deps: AppDeps, runId: string): Promise<void> {
  const { repos } = deps;
  const run = await repos.runs.start(runId);
  if (!run) return; // already final (cancelled before it started, or finished)
  const note = noteFor(deps, runId);
  try {
    let snapshot = await loadSnapshot(deps, runId);
    if (snapshot) {
      await note(`attempt ${run.attempts}: resuming`);
    } else {
      await note('started');
      const dataset = await repos.datasets.findById(run.datasetId);
      if (!dataset) throw new AppError('NOT_FOUND', 'The dataset was deleted.');
      const config = resolveRunConfig(stripResolved(run.config), dataset.dimension);
      await repos.runs.update(runId, { stage: 'loading' });
      const data = await loadTrainingSet(
        repos,
        dataset.id,
        deps.featurisers.imageIdOf(dataset),
        config.textDimensions,
        config.drcl.seed ?? 42,
        importedFeaturesOf(dataset),
      );
      // The prior candidates depend on the TRAIN rows' labels and sites only, not their features.
      const spl = data.modalities.flatMap((m) => {
        const train = labelledSplit(m, rowsIn(m, 'TRAIN'), data.numClasses, new Float32Array(0));
        return priorCandidateIds({ name: m.name, train }, data.numClasses, config.drcl);
      });
      snapshot = {
        format: SNAPSHOT_FORMAT,
        data,
        args: config.drcl,
        plan: { spl, rsc: data.modalities.map((m) => m.name) },
      };
      const bytes = await saveSnapshot(deps, runId, snapshot);
      const items = data.modalities.map((m) => `${m.itemIds.length} ${m.name} items, ${m.dim}-d`);
      await note(
        `snapshot saved: ${bytes} bytes (${items.join('; ')}); each job loads their features by id`,
      );
      await note(
        `planned ${spl.length} prior candidate job(s) (${spl.join(', ')}) and ${snapshot.plan.rsc.length} modality job(s)`,
      );
    }
    await repos.runs.update(runId, { stage: 'queued units' });
    await advanceTrainingRun(deps, runId, snapshot);
  } catch (error) {
    await failRun(deps, run, error);
  }
}

function stripResolved(config: unknown): Record<string, unknown> {
  const rest = { ...((config ?? {}) as Record<string, unknown>) };
  delete rest.resolved;
  return rest;
}
