/** The prior-quality matrix (sites × modalities) as a heat map; the selected prior is outlined. */
import { isSelectedCell, type PriorMatrix } from '../lib/training.ts';

function colour(t: number): string {
  // Light → dark blue; t in [0, 1].
  const l = 95 - 55 * t;
  return `hsl(220 65% ${l}%)`;
}

export function PriorHeatMap({ matrix }: { matrix: PriorMatrix }) {
  const span = matrix.max - matrix.min || 1;
  if (matrix.sites.length === 0 || matrix.values.flat().every((v) => v === null)) {
    return <p className="muted small">No quality scores yet (they arrive with the SPL epochs).</p>;
  }
  return (
    <div>
      <div
        className="heatmap"
        role="table"
        aria-label="Prior quality per site and modality"
        data-testid="prior-heatmap"
        style={{
          gridTemplateColumns: `minmax(90px, max-content) repeat(${matrix.modalities.length}, 1fr)`,
        }}
      >
        <div className="head" role="columnheader">
          site \ modality
        </div>
        {matrix.modalities.map((m) => (
          <div key={m} className="head" role="columnheader">
            {m}
          </div>
        ))}
        {matrix.sites.map((site, s) => (
          <div key={site} style={{ display: 'contents' }} role="row">
            <div className="head" role="rowheader">
              {site}
            </div>
            {matrix.modalities.map((m, j) => {
              const v = matrix.values[s]?.[j] ?? null;
              const t = v === null ? 0 : (v - matrix.min) / span;
              const selected = isSelectedCell(matrix, s, m);
              return (
                <div
                  key={m}
                  role="cell"
                  className={`cell${selected ? ' selected' : ''}`}
                  style={{
                    background: v === null ? '#f0f2f5' : colour(t),
                    color: t > 0.55 ? '#fff' : '#111',
                  }}
                  title={selected ? 'selected prior' : undefined}
                  data-selected={selected || undefined}
                >
                  {v === null ? '—' : v.toFixed(3)}
                  {selected ? ' ★' : ''}
                </div>
              );
            })}
          </div>
        ))}
      </div>
      <p className="muted small">
        Best quality score S of each modality&apos;s prior candidate on each site&apos;s training
        items. ★ marks the selected prior
        {matrix.selected?.site === null ? ' (a whole-modality candidate: the whole column)' : ''}.
      </p>
    </div>
  );
}
