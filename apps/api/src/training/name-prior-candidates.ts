/**
 * Prior candidates by name: the training core numbers a candidate's site (`image@site1` = the
 * second of the dataset's sites at planning); the run stores each candidate with its site's id
 * and name alongside, e.g. `image @ headquarters`.
 */
import type { AppDeps } from '../context.ts';

export interface NamedSite {
  id: string;
  name: string;
}

export interface NamedCandidate {
  /** The training core's id, e.g. `image@site1`. */
  candidate: string;
  /** e.g. `image @ headquarters`, or `image` for a whole-modality candidate. */
  name: string;
  modality: string;
  /** Null for a whole-modality candidate. */
  site: NamedSite | null;
  score: number;
}

/** The sites a snapshot indexes: its own list, or (older snapshots) the dataset's by name. */
export async function planningSites(
  deps: AppDeps,
  runId: string,
  snapshotSites: readonly NamedSite[] | undefined,
): Promise<NamedSite[]> {
  if (snapshotSites) return [...snapshotSites];
  const run = await deps.repos.runs.findById(runId);
  const sites = run ? await deps.repos.datasets.listSites(run.datasetId) : [];
  return sites.map((s) => ({ id: s.id, name: s.name }));
}

export function nameCandidate(
  candidate: { id: string; modality: string; site: number | null },
  score: number,
  sites: readonly NamedSite[],
): NamedCandidate {
  const site = candidate.site === null ? null : (sites[candidate.site] ?? null);
  const siteName = site?.name ?? (candidate.site === null ? null : `site ${candidate.site}`);
  return {
    candidate: candidate.id,
    name: siteName === null ? candidate.modality : `${candidate.modality} @ ${siteName}`,
    modality: candidate.modality,
    site,
    score,
  };
}
