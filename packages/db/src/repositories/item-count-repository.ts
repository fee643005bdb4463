/**
 * Item counts of datasets per site, modality, ingestion status and label, for dataset lists and
 * pages. One SQL statement for any number of datasets: two GROUP BYs over the dataset's items
 * (served by the (dataset_id, site_id, modality) index) and its item_label rows, joined to the
 * site and label tables so sites and labels without items count 0.
 */
import type { SqlExecutor } from '../sql.ts';
import { assertUuid } from '../vector-sql.ts';

export type CountStatus = 'PENDING' | 'READY' | 'FAILED';

export interface ModalityCount {
  modality: string;
  count: number;
}

export interface SiteCount {
  siteId: string;
  count: number;
  /** Per modality of the site's items (READY or not); modalities without items are absent. */
  byModality: ModalityCount[];
}

export interface LabelCount {
  labelId: string;
  count: number;
  byModality: ModalityCount[];
}

export interface DatasetCounts {
  datasetId: string;
  total: number;
  byStatus: Record<CountStatus, number>;
  byModality: ModalityCount[];
  bySite: SiteCount[];
  byLabel: LabelCount[];
  /** Items without any label. */
  unlabelled: number;
}

interface Row {
  kind: 'site' | 'label' | 'unlabelled';
  dataset_id: string;
  key: string | null;
  modality: string | null;
  status: CountStatus | null;
  n: number;
}

const COUNTS_SQL = `
WITH cell AS (
  SELECT dataset_id, site_id, modality, status::text AS status, count(*)::int AS n
  FROM item WHERE dataset_id = ANY($1::uuid[])
  GROUP BY dataset_id, site_id, modality, status
), labelled AS (
  SELECT il.label_id, i.modality, count(*)::int AS n
  FROM item_label il JOIN item i ON i.id = il.item_id
  WHERE i.dataset_id = ANY($1::uuid[])
  GROUP BY il.label_id, i.modality
)
SELECT 'site' AS kind, s.dataset_id::text AS dataset_id, s.id::text AS key, c.modality, c.status,
       coalesce(c.n, 0) AS n
  FROM site s LEFT JOIN cell c ON c.site_id = s.id
  WHERE s.dataset_id = ANY($1::uuid[])
UNION ALL
SELECT 'label', l.dataset_id::text, l.id::text, c.modality, NULL, coalesce(c.n, 0)
  FROM label l LEFT JOIN labelled c ON c.label_id = l.id
  WHERE l.dataset_id = ANY($1::uuid[])
UNION ALL
SELECT 'unlabelled', i.dataset_id::text, NULL, NULL, NULL, count(*)::int
  FROM item i
  WHERE i.dataset_id = ANY($1::uuid[])
    AND NOT EXISTS (SELECT 1 FROM item_label il WHERE il.item_id = i.id)
  GROUP BY i.dataset_id`;

export class ItemCountRepository {
  constructor(private readonly sql: SqlExecutor) {}

  /** Counts of every dataset named (unknown ids get empty counts), in the order given. */
  async countsOf(datasetIds: readonly string[]): Promise<DatasetCounts[]> {
    datasetIds.forEach((id) => assertUuid(id, 'dataset'));
    const out = new Map(datasetIds.map((id) => [id, emptyCounts(id)]));
    if (datasetIds.length === 0) return [];
    const rows = await this.sql.query<Row>(COUNTS_SQL, [[...new Set(datasetIds)]]);
    const sites = new Map<string, SiteCount>();
    const labels = new Map<string, LabelCount>();
    for (const row of rows) {
      const counts = out.get(row.dataset_id);
      if (!counts) continue;
      const n = Number(row.n);
      if (row.kind === 'unlabelled') {
        counts.unlabelled = n;
      } else if (row.kind === 'site') {
        let site = sites.get(row.key!);
        if (!site) {
          site = { siteId: row.key!, count: 0, byModality: [] };
          sites.set(row.key!, site);
          counts.bySite.push(site);
        }
        if (row.modality === null) continue; // a site without items
        site.count += n;
        add(site.byModality, row.modality, n);
        add(counts.byModality, row.modality, n);
        counts.byStatus[row.status!] += n;
        counts.total += n;
      } else {
        let label = labels.get(row.key!);
        if (!label) {
          label = { labelId: row.key!, count: 0, byModality: [] };
          labels.set(row.key!, label);
          counts.byLabel.push(label);
        }
        if (row.modality === null) continue;
        label.count += n;
        add(label.byModality, row.modality, n);
      }
    }
    for (const counts of out.values()) {
      counts.byModality.sort((a, b) => a.modality.localeCompare(b.modality));
      for (const entry of [...counts.bySite, ...counts.byLabel])
        entry.byModality.sort((a, b) => a.modality.localeCompare(b.modality));
    }
    return datasetIds.map((id) => out.get(id)!);
  }
}

function emptyCounts(datasetId: string): DatasetCounts {
  return {
    datasetId,
    total: 0,
    byStatus: { PENDING: 0, READY: 0, FAILED: 0 },
    byModality: [],
    bySite: [],
    byLabel: [],
    unlabelled: 0,
  };
}

function add(list: ModalityCount[], modality: string, n: number): void {
  const entry = list.find((e) => e.modality === modality);
  if (entry) entry.count += n;
  else list.push({ modality, count: n });
}
