/**
 * Where each tile goes on the recording's canvas: pure geometry, so it is unit-tested without a
 * browser. Without a shared screen, every camera in one grid that keeps tiles as large as the
 * frame allows (16:9); with one, the screens take the left three quarters and the cameras a
 * column on the right, as the call screen shows them.
 */

export interface LayoutSource {
  /** Stable key of the tile (participant id, or participant id + `:screen`). */
  key: string;
  kind: 'camera' | 'screen';
}

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export type Placed<S extends LayoutSource> = S & Rect;

/** Space between tiles and around the frame, in canvas pixels. */
export const LAYOUT_GAP = 8;
/** Share of the width the shared screens take when there are cameras beside them. */
export const STAGE_SHARE = 0.75;
const TILE_ASPECT = 16 / 9;

/** Columns and rows for `n` tiles in a `w` x `h` region that make each 16:9 tile largest. */
export function gridFor(n: number, w: number, h: number, gap = LAYOUT_GAP): { cols: number; rows: number } {
  let best = { cols: 1, rows: Math.max(1, n), area: -1 };
  for (let cols = 1; cols <= Math.max(1, n); cols++) {
    const rows = Math.ceil(n / cols);
    const cellW = (w - gap * (cols - 1)) / cols;
    const cellH = (h - gap * (rows - 1)) / rows;
    if (cellW <= 0 || cellH <= 0) continue;
    const tileW = Math.min(cellW, cellH * TILE_ASPECT);
    const area = tileW * (tileW / TILE_ASPECT);
    if (area > best.area + 1e-9) best = { cols, rows, area };
  }
  return { cols: best.cols, rows: best.rows };
}

/** Place `items` in a grid filling `region`; an incomplete last row is centred. */
function grid<S extends LayoutSource>(items: readonly S[], region: Rect, gap: number): Array<Placed<S>> {
  if (items.length === 0) return [];
  const { cols, rows } = gridFor(items.length, region.w, region.h, gap);
  const cellW = (region.w - gap * (cols - 1)) / cols;
  const cellH = (region.h - gap * (rows - 1)) / rows;
  return items.map((item, i) => {
    const row = Math.floor(i / cols);
    const col = i % cols;
    const inRow = row === rows - 1 ? items.length - row * cols : cols;
    const offset = ((cols - inRow) * (cellW + gap)) / 2;
    return {
      ...item,
      x: Math.round(region.x + offset + col * (cellW + gap)),
      y: Math.round(region.y + row * (cellH + gap)),
      w: Math.floor(cellW),
      h: Math.floor(cellH),
    };
  });
}

/** Every source's rectangle on a `width` x `height` frame, in the order given per kind. */
export function layoutFrame<S extends LayoutSource>(
  sources: readonly S[],
  width: number,
  height: number,
  gap = LAYOUT_GAP,
): Array<Placed<S>> {
  if (width <= 2 * gap || height <= 2 * gap) throw new RangeError(`layoutFrame: frame ${width}x${height} too small`);
  const inner: Rect = { x: gap, y: gap, w: width - 2 * gap, h: height - 2 * gap };
  const screens = sources.filter((s) => s.kind === 'screen');
  const cameras = sources.filter((s) => s.kind === 'camera');
  if (screens.length === 0) return grid(cameras, inner, gap);
  if (cameras.length === 0) return grid(screens, inner, gap);
  const stageW = Math.round(inner.w * STAGE_SHARE);
  const stage: Rect = { x: inner.x, y: inner.y, w: stageW, h: inner.h };
  const strip: Rect = { x: inner.x + stageW + gap, y: inner.y, w: inner.w - stageW - gap, h: inner.h };
  return [...grid(screens, stage, gap), ...grid(cameras, strip, gap)];
}

/** Where a `srcW` x `srcH` picture goes inside `box` to fit whole (letterboxed), centred. */
export function fitInside(srcW: number, srcH: number, box: Rect): Rect {
  if (srcW <= 0 || srcH <= 0) return { ...box };
  const scale = Math.min(box.w / srcW, box.h / srcH);
  const w = srcW * scale;
  const h = srcH * scale;
  return { x: box.x + (box.w - w) / 2, y: box.y + (box.h - h) / 2, w, h };
}
