/**
 * The held-out evaluation a model stores (`metrics` JSON: mAP, P@10 and R@10 per direction, and
 * mAP per class and per site within each direction) as chart rows. Models stored since the gate
 * name their classes and sites (`perClass: [{ label: { name, index }, map }]`); older ones keyed
 * them by index (`perClass: { "0": 0.7 }`), named here from the dataset's labels and sites.
 */
type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null;

export interface MetricRows {
  directions: string[];
  byDirection: { name: string; mAP: number }[];
  /** P@10 and R@10 per direction, where the model stored them. */
  atTen: { name: string; precision: number; recall: number }[];
  /** One row per class: { name, [direction]: AP }. */
  byClass: Record<string, number | string>[];
  /** One row per site: { name, [direction]: AP }. */
  bySite: Record<string, number | string>[];
}

export function metricRows(
  metrics: unknown,
  labels: readonly { name: string; index: number }[],
  sites: readonly { name: string }[],
): MetricRows {
  const directions = isObject(metrics) && isObject(metrics.directions) ? metrics.directions : {};
  const names = Object.keys(directions).sort();
  const byDirection: MetricRows['byDirection'] = [];
  const atTen: MetricRows['atTen'] = [];
  const classRows = new Map<string, Record<string, number | string>>();
  const siteRows = new Map<string, Record<string, number | string>>();
  const labelName = (key: string) =>
    labels.find((l) => String(l.index) === key)?.name ?? `class ${key}`;
  const siteName = (key: string) => sites[Number(key)]?.name ?? `site ${key}`;
  for (const name of names) {
    const d = directions[name];
    if (!isObject(d)) continue;
    if (typeof d.map === 'number') byDirection.push({ name, mAP: d.map });
    if (typeof d.precisionAt10 === 'number' && typeof d.recallAt10 === 'number')
      atTen.push({ name, precision: d.precisionAt10, recall: d.recallAt10 });
    const fill = (
      source: unknown,
      rows: Map<string, Record<string, number | string>>,
      label: (k: string) => string,
      entity: 'label' | 'site',
    ) => {
      for (const [key, rowName, value] of entries(source, entity, label)) {
        const row = rows.get(key) ?? { name: rowName };
        row[name] = value;
        rows.set(key, row);
      }
    };
    fill(d.perClass, classRows, labelName, 'label');
    fill(d.perSite, siteRows, siteName, 'site');
  }
  const byKey = (a: [string, unknown], b: [string, unknown]) => Number(a[0]) - Number(b[0]);
  return {
    directions: names,
    byDirection,
    atTen,
    byClass: [...classRows.entries()].sort(byKey).map(([, r]) => r),
    bySite: [...siteRows.entries()].sort(byKey).map(([, r]) => r),
  };
}

/**
 * (sort key, name, AP) of a direction's per-class or per-site figures, in either stored shape:
 * named entries sort by label index (sites in stored order), index-keyed ones by their key.
 */
function entries(
  source: unknown,
  entity: 'label' | 'site',
  nameOf: (key: string) => string,
): [string, string, number][] {
  if (Array.isArray(source)) {
    return source.flatMap((entry: unknown, position): [string, string, number][] => {
      if (!isObject(entry) || typeof entry.map !== 'number') return [];
      const named = entry[entity];
      if (!isObject(named) || typeof named.name !== 'string') return [];
      const key = typeof named.index === 'number' ? String(named.index) : String(position);
      return [[key, named.name, entry.map]];
    });
  }
  if (!isObject(source)) return [];
  return Object.entries(source).flatMap(([key, value]): [string, string, number][] =>
    typeof value === 'number' ? [[key, nameOf(key), value]] : [],
  );
}
