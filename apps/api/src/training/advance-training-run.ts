/**
 * The fan-in: after the plan step and after every unit, sends whatever the run needs next —
 * the SPL candidate jobs, then (all candidates done) the prior and the RSC jobs, then (all
 * modalities done) the assemble job. Every job id is derived from (run, unit, slice), so pg-boss
 * inserts each job once however many finishing units call this at the same time, and a retried
 * caller sends nothing twice. Each unit commits its result before it counts, so the last of
 * several units finishing together always sees them all.
 */
import {
  choosePrior,
  decodeBundle,
  encodeBundle,
  type PriorResult,
  type SplCandidateResult,
} from '@concord/drcl';
import type { AppDeps } from '../context.ts';
import { nameCandidate, planningSites } from './name-prior-candidates.ts';
import { donePrefix, noteFor, PRIOR_KEY, type RunSnapshot } from './training-state.ts';

export async function advanceTrainingRun(
  deps: AppDeps,
  runId: string,
  snapshot: RunSnapshot,
): Promise<void> {
  const { repos, queue } = deps;
  const { plan } = snapshot;
  if ((await repos.runs.countCheckpoints(runId, donePrefix('spl'))) < plan.spl.length) {
    await queue.enqueueTrainingUnits(
      runId,
      plan.spl.map((unit) => ({ runId, stage: 'spl', unit, slice: 0 })),
    );
    return;
  }
  if (!(await repos.runs.checkpoint(runId, PRIOR_KEY))) {
    const results = (await repos.runs.checkpointsByPrefix(runId, donePrefix('spl'))).map(
      (row) => decodeBundle(row.state) as SplCandidateResult,
    );
    const prior = choosePrior(results, snapshot.args, snapshot.data.numClasses);
    await repos.runs.saveCheckpoint(runId, PRIOR_KEY, 0, encodeBundle(prior));
    const scores = Object.fromEntries(results.map((r) => [r.id, r.bestScore]));
    const sites = await planningSites(deps, runId, snapshot.data.sites);
    const named = results.map((r) => nameCandidate(r, r.bestScore, sites));
    const chosen = nameCandidate({ ...prior, id: prior.candidate }, prior.score, sites);
    const selected: Partial<PriorResult> = { ...prior };
    delete selected.w;
    delete selected.pinv;
    await repos.runs.update(runId, {
      // `site` stays the core's index (the dashboard's heat map reads it); the names go beside.
      selectedPrior: { ...selected, name: chosen.name, siteRef: chosen.site, scores },
      priorCandidates: named,
    });
    await noteFor(
      deps,
      runId,
    )(`prior selected: ${chosen.name} (quality ${prior.score.toFixed(4)})`);
  }
  if ((await repos.runs.countCheckpoints(runId, donePrefix('rsc'))) < plan.rsc.length) {
    await queue.enqueueTrainingUnits(
      runId,
      plan.rsc.map((unit) => ({ runId, stage: 'rsc', unit, slice: 0 })),
    );
    return;
  }
  await queue.enqueueAssemble(runId);
}
