/**
 * Tile sizes for the grid view, the way Google Meet, Jitsi's tile view and LiveKit's grid do it:
 * given the stage's size and the number of tiles on the page, try every column count and keep the
 * one whose tiles, at the videos' aspect ratio, are largest. Pure functions; the React side is
 * useTileFit.ts.
 */

/** The tiles' aspect ratio (width / height) when no video has told us its own: most cameras. */
export const DEFAULT_TILE_RATIO = 16 / 9;
/** Ratios outside this range are clamped (a very tall phone or a very wide strip). */
export const MIN_TILE_RATIO = 9 / 16;
export const MAX_TILE_RATIO = 21 / 9;
/** Two videos whose ratios differ by less than this share (2 %) count as the same shape. */
export const SAME_RATIO = 0.02;
/** Gap between tiles in CSS px (grid.css `--gap`, 0.5rem). */
export const TILE_GAP = 8;

export interface TileFit {
  cols: number;
  rows: number;
  /** Each tile's size in whole CSS px. */
  width: number;
  height: number;
}

const clamp = (n: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, n));

/** Whether two aspect ratios are the same shape for display (within SAME_RATIO). */
export function sameRatio(a: number, b: number): boolean {
  return Math.abs(a / b - 1) < SAME_RATIO;
}

/**
 * Columns, rows and tile size for `count` tiles of aspect ratio `ratio` in a `width` x `height`
 * area with `gap` between tiles: the largest tiles that fit. Among equally large tiles, the
 * fewest empty places (nine tiles 3x3, not 4+4+1), then the most columns. Tiles never overflow:
 * cols * w + (cols - 1) * gap <= width and rows * h + (rows - 1) * gap <= height.
 */
export function fitTiles(count: number, width: number, height: number, ratio: number, gap = TILE_GAP): TileFit {
  if (!Number.isInteger(count) || count < 1) throw new TypeError(`count must be a positive integer, got ${count}`);
  if (!(ratio > 0) || !Number.isFinite(ratio)) throw new TypeError(`ratio must be a positive number, got ${ratio}`);
  const W = Number.isFinite(width) ? Math.max(0, width) : 0;
  const H = Number.isFinite(height) ? Math.max(0, height) : 0;
  let best: TileFit = { cols: 1, rows: count, width: 0, height: 0 };
  for (let cols = 1; cols <= count; cols++) {
    const rows = Math.ceil(count / cols);
    const byWidth = (W - (cols - 1) * gap) / cols;
    const byHeight = ((H - (rows - 1) * gap) / rows) * ratio;
    // Whole pixels, rounded down so that they still fit; the width then follows the rounded height.
    const most = Math.floor(Math.max(0, Math.min(byWidth, byHeight)));
    const h = Math.floor(most / ratio);
    const w = Math.min(most, Math.round(h * ratio));
    const area = w * h;
    const bestArea = best.width * best.height;
    const empty = cols * rows - count;
    if (area > bestArea || (area === bestArea && empty <= best.cols * best.rows - count)) {
      best = { cols, rows, width: w, height: h };
    }
  }
  return best;
}

/**
 * The ratio most of the shown videos have (videoWidth / videoHeight), for the tiles' shape:
 * the largest group of ratios within SAME_RATIO of each other; on a tie, the group nearest
 * DEFAULT_TILE_RATIO. `fallback` when no ratio is known. Clamped to MIN..MAX_TILE_RATIO.
 */
export function dominantRatio(ratios: Iterable<number>, fallback = DEFAULT_TILE_RATIO): number {
  const known = [...ratios].filter((r) => Number.isFinite(r) && r > 0).sort((a, b) => a - b);
  if (known.length === 0) return fallback;
  let best = { size: 0, ratio: fallback };
  for (let i = 0; i < known.length;) {
    let j = i + 1;
    while (j < known.length && sameRatio(known[j]!, known[i]!)) j++;
    const group = known.slice(i, j);
    const ratio = group[Math.floor(group.length / 2)]!;
    const nearer = Math.abs(Math.log(ratio / DEFAULT_TILE_RATIO)) < Math.abs(Math.log(best.ratio / DEFAULT_TILE_RATIO));
    if (group.length > best.size || (group.length === best.size && nearer)) best = { size: group.length, ratio };
    i = j;
  }
  return clamp(best.ratio, MIN_TILE_RATIO, MAX_TILE_RATIO);
}
