'use client';
/**
 * Charts on recharts (SVG, React components, responsive containers). Colours from one palette so
 * a series has the same colour on every chart.
 */
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';

export const PALETTE = [
  '#2f5bd3',
  '#d9822b',
  '#1f8a4c',
  '#c23a3a',
  '#7a4cc2',
  '#0e8a8a',
  '#8a6d0e',
  '#5d6b7a',
];

const fmt = (v: unknown) => (typeof v === 'number' ? v.toPrecision(4) : String(v));

export function LineSeriesChart({
  title,
  rows,
  keys,
  xKey = 'epoch',
  height = 220,
}: {
  title: string;
  rows: Record<string, number | string>[];
  keys: { key: string; name?: string; dashed?: boolean }[];
  xKey?: string;
  height?: number;
}) {
  return (
    <figure className="panel" style={{ margin: 0 }} data-testid="chart">
      <figcaption>
        <h3>{title}</h3>
      </figcaption>
      {rows.length === 0 ? (
        <p className="muted small">No data yet.</p>
      ) : (
        <ResponsiveContainer width="100%" height={height}>
          <LineChart data={rows} margin={{ top: 4, right: 8, bottom: 4, left: 0 }}>
            <CartesianGrid stroke="#eef0f3" />
            <XAxis dataKey={xKey} tick={{ fontSize: 11 }} />
            <YAxis tick={{ fontSize: 11 }} width={48} tickFormatter={fmt} />
            <Tooltip formatter={fmt} />
            <Legend wrapperStyle={{ fontSize: 11 }} />
            {keys.map((k, i) => (
              <Line
                key={k.key}
                type="monotone"
                dataKey={k.key}
                name={k.name ?? k.key}
                stroke={PALETTE[i % PALETTE.length]}
                strokeDasharray={k.dashed ? '4 3' : undefined}
                dot={rows.length < 30}
                isAnimationActive={false}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      )}
    </figure>
  );
}

/**
 * Bars per category and series. `categories: 'rows'` lays the categories out as rows (names on
 * the left, every one labelled, bars growing right): for class and site names, which the default
 * column layout thins out when they do not fit (recharts drops overlapping tick labels).
 */
export function BarSeriesChart({
  title,
  rows,
  keys,
  xKey = 'name',
  height = 220,
  domain,
  categories = 'columns',
}: {
  title: string;
  rows: Record<string, number | string>[];
  keys: { key: string; name?: string }[];
  xKey?: string;
  height?: number;
  domain?: [number, number];
  categories?: 'columns' | 'rows';
}) {
  const asRows = categories === 'rows';
  const rowHeight = Math.max(22, 14 * keys.length + 8);
  return (
    <figure className="panel" style={{ margin: 0 }} data-testid="chart" data-title={title}>
      <figcaption>
        <h3>{title}</h3>
      </figcaption>
      {rows.length === 0 ? (
        <p className="muted small">No data.</p>
      ) : (
        <ResponsiveContainer
          width="100%"
          height={asRows ? Math.max(height, rows.length * rowHeight + 60) : height}
        >
          <BarChart
            data={rows}
            layout={asRows ? 'vertical' : 'horizontal'}
            margin={{ top: 4, right: 8, bottom: 4, left: 0 }}
          >
            <CartesianGrid stroke="#eef0f3" />
            {asRows ? (
              <>
                <XAxis type="number" tick={{ fontSize: 11 }} domain={domain ?? [0, 'auto']} />
                <YAxis
                  type="category"
                  dataKey={xKey}
                  interval={0}
                  tick={{ fontSize: 11 }}
                  width={120}
                />
              </>
            ) : (
              <>
                <XAxis dataKey={xKey} tick={{ fontSize: 11 }} />
                <YAxis tick={{ fontSize: 11 }} width={40} domain={domain ?? [0, 'auto']} />
              </>
            )}
            <Tooltip formatter={fmt} />
            {keys.length > 1 ? <Legend wrapperStyle={{ fontSize: 11 }} /> : null}
            {keys.map((k, i) => (
              <Bar
                key={k.key}
                dataKey={k.key}
                name={k.name ?? k.key}
                fill={PALETTE[i % PALETTE.length]}
                isAnimationActive={false}
              />
            ))}
          </BarChart>
        </ResponsiveContainer>
      )}
    </figure>
  );
}
