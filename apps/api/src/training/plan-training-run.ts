/**
 * The `training` job, the run's first step: QUEUED → RUNNING, a snapshot of the training data
 * (taken once; a retried plan reuses it), then the fan-out of the unit jobs. Training itself runs
 * in `training-unit` jobs, one per SPL prior candidate and one per modality's RSC, on whichever
 * workers take them; `assemble-training-run.ts` finishes the run.
 */
import { priorCandidateIds } from '@concord/drcl';
import type { AppDeps } from '../context.ts';
import { AppError } from '../errors.ts';
import { resolveRunConfig } from '../services/training/training-config.ts';
import { advanceTrainingRun } from './advance-training-run.ts';
import { loadTrainingData } from './load-training-data.ts';
import {
  failRun,
  loadSnapshot,
  noteFor,
  saveSnapshot,
  type RunSnapshot,
} from './training-state.ts';

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
      const loaded = await loadTrainingData(
        repos,
        dataset.id,
        deps.featurisers.imageFeaturiserId,
        config.textDimensions,
        config.drcl.seed ?? 42,
      );
      // The fitted text featuriser travels as its bytes (`featurisers.text.state`).
      const data: RunSnapshot['data'] = {
        numClasses: loaded.numClasses,
        modalities: loaded.modalities,
        itemIds: loaded.itemIds,
        featurisers: loaded.featurisers,
      };
      const spl = data.modalities.flatMap((m) =>
        priorCandidateIds(m, data.numClasses, config.drcl),
      );
      snapshot = {
        data,
        args: config.drcl,
        plan: { spl, rsc: data.modalities.map((m) => m.name) },
      };
      await saveSnapshot(deps, runId, snapshot satisfies RunSnapshot);
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
