/**
 * Shapes the API's JSON fields of a training run (epoch metrics, prior candidates, selected
 * prior) into chart series and the prior-quality matrix. Pure functions; tested in
 * training.test.ts against hand-made events in the training core's event format.
 */

export const LOSS_TERMS = ['total', 'label', 'discrimination', 'intraModal', 'interModal', 'mse'];

export interface EpochRow {
  stage: string;
  unit: string;
  epoch: number;
  metrics: unknown;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null;
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Per RSC unit (modality): one row per epoch with every loss term and `validation_<term>`. */
export function rscSeries(epochs: readonly EpochRow[]): Map<string, Record<string, number>[]> {
  const out = new Map<string, Record<string, number>[]>();
  for (const e of epochs) {
    if (e.stage !== 'rsc' || !isObject(e.metrics)) continue;
    const row: Record<string, number> = { epoch: e.epoch + 1 };
    const loss = e.metrics.loss;
    const validation = e.metrics.validationLoss;
    for (const term of LOSS_TERMS) {
      const v = isObject(loss) ? num(loss[term]) : null;
      if (v !== null) row[term] = v;
      const w = isObject(validation) ? num(validation[term]) : null;
      if (w !== null) row[`validation_${term}`] = w;
    }
    const rows = out.get(e.unit) ?? [];
    rows.push(row);
    out.set(e.unit, rows);
  }
  for (const rows of out.values()) rows.sort((a, b) => a.epoch! - b.epoch!);
  return out;
}

/** Per SPL candidate: one row per epoch with the training loss and the quality score. */
export function splSeries(epochs: readonly EpochRow[]): Map<string, Record<string, number>[]> {
  const out = new Map<string, Record<string, number>[]>();
  for (const e of epochs) {
    if (e.stage !== 'spl' || !isObject(e.metrics)) continue;
    const row: Record<string, number> = { epoch: e.epoch + 1 };
    const loss = num(e.metrics.trainLoss);
    const quality = num(e.metrics.qualityScore);
    if (loss !== null) row.trainLoss = loss;
    if (quality !== null) row.qualityScore = quality;
    const rows = out.get(e.unit) ?? [];
    rows.push(row);
    out.set(e.unit, rows);
  }
  for (const rows of out.values()) rows.sort((a, b) => a.epoch! - b.epoch!);
  return out;
}

export interface PriorMatrix {
  sites: string[];
  modalities: string[];
  /** values[site][modality]: the best quality score seen, or null. */
  values: (number | null)[][];
  /** Cells of the selected prior: one cell (site×modality candidate) or a whole column. */
  selected: { modality: string; site: number | null } | null;
  min: number;
  max: number;
}

/**
 * Sites × modalities: the best quality score S of the modality's prior candidate on each site's
 * training items (`qualityScoreBySite` of whole-modality candidates, `qualityScore` of
 * site×modality candidates), over all SPL epochs.
 */
export function priorMatrix(
  epochs: readonly EpochRow[],
  siteNames: readonly string[],
  modalities: readonly string[],
  selectedPrior: unknown,
): PriorMatrix {
  const mods = [...modalities];
  const values: (number | null)[][] = siteNames.map(() => mods.map(() => null));
  const put = (site: number, modality: string, value: number) => {
    const m = mods.indexOf(modality);
    const row = values[site];
    if (m < 0 || !row) return;
    const previous = row[m];
    if (previous === null || previous === undefined || value > previous) row[m] = value;
  };
  for (const e of epochs) {
    if (e.stage !== 'spl' || !isObject(e.metrics)) continue;
    const modality = typeof e.metrics.modality === 'string' ? e.metrics.modality : null;
    if (!modality) continue;
    const site = num(e.metrics.site);
    if (site !== null) {
      const q = num(e.metrics.qualityScore);
      if (q !== null) put(site, modality, q);
      continue;
    }
    const bySite = e.metrics.qualityScoreBySite;
    if (!isObject(bySite)) continue;
    for (const [key, value] of Object.entries(bySite)) {
      const v = num(value);
      if (v !== null) put(Number(key), modality, v);
    }
  }
  const flat = values.flat().filter((v): v is number => v !== null);
  let selected: PriorMatrix['selected'] = null;
  if (isObject(selectedPrior) && typeof selectedPrior.modality === 'string') {
    selected = { modality: selectedPrior.modality, site: num(selectedPrior.site) };
  }
  return {
    sites: [...siteNames],
    modalities: mods,
    values,
    selected,
    min: flat.length ? Math.min(...flat) : 0,
    max: flat.length ? Math.max(...flat) : 1,
  };
}

export function isSelectedCell(matrix: PriorMatrix, site: number, modality: string): boolean {
  const s = matrix.selected;
  return !!s && s.modality === modality && (s.site === null || s.site === site);
}

export interface LogLine {
  at: string;
  level: string;
  message: string;
}

export function logLines(logs: unknown): LogLine[] {
  if (!Array.isArray(logs)) return [];
  return logs.filter(isObject).map((l) => ({
    at: typeof l.at === 'string' ? l.at : '',
    level: typeof l.level === 'string' ? l.level : 'info',
    message: typeof l.message === 'string' ? l.message : JSON.stringify(l),
  }));
}

/** The training core's settings a run used (the stored `config` JSON), flattened for display. */
export function configEntries(config: unknown): [string, string][] {
  if (!isObject(config)) return [];
  // Runs store the caller's input and, once resolved, the full settings under `resolved`.
  if (isObject(config.resolved)) return configEntries(config.resolved);
  const flat: [string, string][] = [];
  const walk = (prefix: string, value: unknown) => {
    if (isObject(value) && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) walk(prefix ? `${prefix}.${k}` : k, v);
    } else flat.push([prefix, Array.isArray(value) ? value.join(', ') : String(value)]);
  };
  walk('', config);
  return flat.sort(([a], [b]) => a.localeCompare(b));
}
