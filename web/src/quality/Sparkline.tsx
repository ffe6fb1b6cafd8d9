import { chartTop, polylinePoints, SERIES_WINDOW_MS, type SeriesPoint } from './series';

const WIDTH = 120;
const HEIGHT = 32;

/**
 * A small live chart of one figure over the last minute, drawn as inline SVG (no chart library):
 * a line of the samples, the latest value beside it. The figure's name comes from the caller.
 */
export function Sparkline({
  label,
  unit,
  points,
  figure,
  digits = 0,
  minTop = 1,
}: {
  label: string;
  unit: string;
  points: readonly SeriesPoint[];
  /** The figure's key, for tests and styles. */
  figure: string;
  digits?: number;
  /** The y axis goes up to at least this (so a flat 0 % loss stays at the bottom). */
  minTop?: number;
}) {
  const latest = points.at(-1);
  const end = latest?.at ?? 0;
  const line = polylinePoints(points, { width: WIDTH, height: HEIGHT, windowMs: SERIES_WINDOW_MS, end, minTop });
  const top = chartTop(points, minTop);
  const now = latest ? `${latest.value.toFixed(digits)} ${unit}` : '—';
  return (
    <figure className="sparkline" data-testid="quality-chart" data-figure={figure} data-points={points.length}>
      <figcaption>
        {label} <span className="sparkline-now">{now}</span>
      </figcaption>
      <svg
        role="img"
        aria-label={`${label} over the last minute, now ${now}, scale 0 to ${top} ${unit}`}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        width={WIDTH}
        height={HEIGHT}
        preserveAspectRatio="none"
      >
        <line className="sparkline-axis" x1={0} y1={HEIGHT - 0.5} x2={WIDTH} y2={HEIGHT - 0.5} />
        {line && <polyline className="sparkline-line" points={line} fill="none" />}
      </svg>
    </figure>
  );
}
