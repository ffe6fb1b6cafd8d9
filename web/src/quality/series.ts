/**
 * The last minute of a participant's connection figures, for the Connection panel's charts:
 * one rolling series per figure, sampled every QUALITY_POLL_MS, and the arithmetic that turns a
 * series into the points of a small chart. Plain data in, plain data out (no React, no DOM).
 */
import type { LinkFigures } from './linkQuality';

/** How much history a chart shows, in ms. */
export const SERIES_WINDOW_MS = 60_000;

/** One sample of one figure: `at` in ms (performance.now()), `value` in the figure's unit. */
export interface SeriesPoint {
  at: number;
  value: number;
}

/** The figures that are charted, in the order the panel shows them. */
export const CHARTED = ['rttMs', 'inKbps', 'lossPercent', 'fps'] as const;
export type ChartedFigure = (typeof CHARTED)[number];

/** One rolling series per charted figure. */
export type LinkHistory = Readonly<Record<ChartedFigure, readonly SeriesPoint[]>>;

export const emptyHistory = (): LinkHistory => ({ rttMs: [], inKbps: [], lossPercent: [], fps: [] });

/**
 * `points` with `value` at `at` appended and everything older than `windowMs` before `at`
 * dropped. A null value (the figure is not known in this sample) adds nothing: the chart shows a
 * gap in time rather than a made-up zero. Samples must come in time order.
 */
export function appendPoint(
  points: readonly SeriesPoint[],
  at: number,
  value: number | null,
  windowMs = SERIES_WINDOW_MS,
): readonly SeriesPoint[] {
  const from = at - windowMs;
  const kept = points.filter((p) => p.at >= from && p.at <= at);
  if (value === null || !Number.isFinite(value)) return kept;
  return [...kept, { at, value }];
}

/** `history` with one sample of every charted figure added at `at`. */
export function recordFigures(
  history: LinkHistory,
  at: number,
  figures: LinkFigures,
  windowMs = SERIES_WINDOW_MS,
): LinkHistory {
  const next = { ...history };
  for (const name of CHARTED) next[name] = appendPoint(history[name], at, figures[name], windowMs);
  return next;
}

export interface ChartBox {
  width: number;
  height: number;
  /** Time span of the x axis, ending at `end` (ms). */
  windowMs: number;
  end: number;
  /** Top of the y axis; at least this (the bottom is 0). Default: the largest value. */
  minTop?: number;
}

/** The y axis' top for `points`: the largest value (at least `minTop`), rounded up to a readable number. */
export function chartTop(points: readonly SeriesPoint[], minTop = 1): number {
  const max = Math.max(minTop, ...points.map((p) => p.value));
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) if (max <= step * magnitude) return step * magnitude;
  return 10 * magnitude;
}

/**
 * SVG `points` for a polyline drawing `points` in `box`: time runs left to right over the window
 * ending at `box.end`, values bottom (0) to top (chartTop). Coordinates have one decimal.
 */
export function polylinePoints(points: readonly SeriesPoint[], box: ChartBox): string {
  const top = chartTop(points, box.minTop);
  const start = box.end - box.windowMs;
  const r = (n: number): number => Math.round(n * 10) / 10;
  return points
    .filter((p) => p.at >= start && p.at <= box.end)
    .map((p) => {
      const x = ((p.at - start) / box.windowMs) * box.width;
      const y = box.height - (Math.min(p.value, top) / top) * box.height;
      return `${r(x)},${r(y)}`;
    })
    .join(' ');
}
