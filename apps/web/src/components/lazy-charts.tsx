'use client';
/**
 * The charts, loaded after the page: recharts is about 120 KiB of gzip-compressed JavaScript,
 * so the run and model pages show progress, heat map and tables first and the charts a moment
 * later (a placeholder of the same size meanwhile).
 */
import dynamic from 'next/dynamic';

function ChartPlaceholder() {
  return <div className="panel skeleton" style={{ minHeight: 260 }} aria-label="Loading chart" />;
}

export const LineSeriesChart = dynamic(
  () => import('./charts.tsx').then((m) => m.LineSeriesChart),
  { ssr: false, loading: ChartPlaceholder },
);

export const BarSeriesChart = dynamic(() => import('./charts.tsx').then((m) => m.BarSeriesChart), {
  ssr: false,
  loading: ChartPlaceholder,
});
