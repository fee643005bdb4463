/** Horizontal bars of counts (pure CSS: a handful of rows needs no chart library). */
import type { CountRow } from '../lib/counts.ts';

export function CountBars({ title, rows }: { title: string; rows: CountRow[] }) {
  const max = Math.max(1, ...rows.map((r) => r.count));
  return (
    <div>
      <h3>{title}</h3>
      {rows.length === 0 ? <p className="muted small">None.</p> : null}
      <div style={{ display: 'grid', gap: 4 }}>
        {rows.map((row) => (
          <div
            key={row.key}
            style={{
              display: 'grid',
              gridTemplateColumns: 'minmax(80px, 40%) 1fr 3.5em',
              gap: 8,
              alignItems: 'center',
            }}
            className="small"
          >
            <span title={row.name} style={{ overflow: 'hidden', textOverflow: 'ellipsis' }}>
              {row.name}
            </span>
            <div className="progress">
              <div style={{ width: `${(100 * row.count) / max}%` }} />
            </div>
            <span className="score" style={{ textAlign: 'right' }}>
              {row.count}
            </span>
          </div>
        ))}
      </div>
    </div>
  );
}
