/** A dataset's item counts: per site, per site × modality, per modality and per label. */
import type { DatasetCounts } from '../lib/counts.ts';
import { CountBars } from './count-bars.tsx';

export function DatasetCountsView({ counts }: { counts: DatasetCounts }) {
  return (
    <div data-testid="dataset-counts">
      <p className="muted small">
        {counts.total} items
        {counts.failed ? ` · ${counts.failed} failed` : ''}
        {counts.pending ? ` · ${counts.pending} pending` : ''}
        {counts.unlabelled ? ` · ${counts.unlabelled} unlabelled` : ''}
      </p>
      <div className="charts">
        <CountBars title="Per site" rows={counts.bySite} />
        <CountBars title="Per site × modality" rows={counts.bySiteModality} />
        <CountBars title="Per modality" rows={counts.byModality} />
        <CountBars title="Per label" rows={counts.byLabel} />
      </div>
    </div>
  );
}
