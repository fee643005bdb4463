/**
 * The held-out evaluation a model stores (`metrics` JSON: mAP per direction, and per class and
 * per site within each direction) as chart rows, with class and site indices named.
 */
type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null;

export interface MetricRows {
  directions: string[];
  byDirection: { name: string; mAP: number }[];
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
  const classRows = new Map<string, Record<string, number | string>>();
  const siteRows = new Map<string, Record<string, number | string>>();
  const labelName = (key: string) =>
    labels.find((l) => String(l.index) === key)?.name ?? `class ${key}`;
  const siteName = (key: string) => sites[Number(key)]?.name ?? `site ${key}`;
  for (const name of names) {
    const d = directions[name];
    if (!isObject(d)) continue;
    if (typeof d.map === 'number') byDirection.push({ name, mAP: d.map });
    const fill = (
      source: unknown,
      rows: Map<string, Record<string, number | string>>,
      label: (k: string) => string,
    ) => {
      if (!isObject(source)) return;
      for (const [key, value] of Object.entries(source)) {
        if (typeof value !== 'number') continue;
        const row = rows.get(key) ?? { name: label(key) };
        row[name] = value;
        rows.set(key, row);
      }
    };
    fill(d.perClass, classRows, labelName);
    fill(d.perSite, siteRows, siteName);
  }
  const byKey = (a: [string, unknown], b: [string, unknown]) => Number(a[0]) - Number(b[0]);
  return {
    directions: names,
    byDirection,
    byClass: [...classRows.entries()].sort(byKey).map(([, r]) => r),
    bySite: [...siteRows.entries()].sort(byKey).map(([, r]) => r),
  };
}
