/**
 * Which tiles the call screen shows, for rooms of up to 50: pages of tiles sized to the window,
 * the person's own tile on every page, and the active speaker kept in view. Pure functions; the
 * React side is useGallery.ts.
 *
 * Page size rules (CSS pixels of the area left for tiles, the window less SCREEN_CHROME_*):
 * - a column per TILE_MIN_WIDTH of width and a row per TILE_MIN_HEIGHT of height, at most 3x3,
 *   or 4x4 on a large window (LARGE_WINDOW_*, a full-HD screen);
 * - a window too narrow for two such columns still gets two when each can be
 *   NARROW_TILE_MIN_WIDTH wide (phones);
 * - at least two tiles per page (yourself and one other).
 * So a laptop window (1200x760 or 960x720) pages by 3x3 = 9, a full-HD screen by 4x4 = 16 and a
 * phone (375x667) by 2x3 = 6. How the tiles of a page are laid out (columns, rows, size at the
 * videos' ratio in the measured stage) is tileFit.ts's job, not this file's.
 */

/** Most columns and rows on a page; LARGE_GRID_MAX on a large window. */
export const GRID_MAX = 3;
export const LARGE_GRID_MAX = 4;
/** A window at least this large (CSS px) is a large one. */
export const LARGE_WINDOW_WIDTH = 1600;
export const LARGE_WINDOW_HEIGHT = 900;
/** Narrowest tile in CSS px before the grid drops a column. */
export const TILE_MIN_WIDTH = 200;
/** On narrow windows: narrowest tile that still allows two columns. */
export const NARROW_TILE_MIN_WIDTH = 150;
/** Lowest tile in CSS px before the grid drops a row. */
export const TILE_MIN_HEIGHT = 150;
/** Speaker layout: narrowest tile in the strip under the featured tile, and most per page. */
export const STRIP_TILE_MIN_WIDTH = 180;
export const STRIP_MAX = 6;
/** Room the window keeps for the header, the page controls and the call controls, in CSS px. */
export const SCREEN_CHROME_HEIGHT = 170;
/** The call screen's padding left and right together, in CSS px. */
export const SCREEN_CHROME_WIDTH = 32;

export interface PageShape {
  cols: number;
  rows: number;
  /** Tiles per page in the grid layout: cols * rows. */
  perPage: number;
  /** Tiles per page in the speaker layout's strip. */
  stripPerPage: number;
}

const clamp = (n: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, n));

/** The page shape for a window of `width` x `height` CSS px (the whole window, chrome included). */
export function pageShape(width: number, height: number): PageShape {
  const W = Number.isFinite(width) ? width : 0;
  const H = Number.isFinite(height) ? height : 0;
  const max = W >= LARGE_WINDOW_WIDTH && H >= LARGE_WINDOW_HEIGHT ? LARGE_GRID_MAX : GRID_MAX;
  const w = Math.max(0, W - SCREEN_CHROME_WIDTH);
  const h = Math.max(0, H - SCREEN_CHROME_HEIGHT);
  let cols = clamp(Math.floor(w / TILE_MIN_WIDTH), 1, max);
  if (cols === 1 && w >= 2 * NARROW_TILE_MIN_WIDTH) cols = 2;
  let rows = clamp(Math.floor(h / TILE_MIN_HEIGHT), 1, max);
  if (cols * rows < 2) rows = 2;
  const stripPerPage = clamp(Math.floor(w / STRIP_TILE_MIN_WIDTH), 2, STRIP_MAX);
  return { cols, rows, perPage: cols * rows, stripPerPage };
}

export interface GridInput {
  selfId: string;
  /** The others, in the order they joined. */
  remoteIds: readonly string[];
  /** The page asked for (0-based); clamped to the pages there are. */
  page: number;
  /** Tiles per page, your own included (at least 2). */
  perPage: number;
  /** Someone to keep on the page though their place is on another (the active speaker). */
  pinned: string | null;
}

export interface Arrangement {
  /** The page shown (0-based), after clamping. */
  page: number;
  pageCount: number;
  /** Ids of the tiles to render, in order. */
  tiles: string[];
  /** The pinned person when they are shown away from their own page, else null. */
  pinnedShown: string | null;
}

/** How many of the others fit on one grid page beside your own tile. */
function othersPerPage(perPage: number): number {
  if (!Number.isInteger(perPage) || perPage < 2) throw new TypeError(`perPage must be an integer >= 2, got ${perPage}`);
  return perPage - 1;
}

/** The others whose own place is on `page` (the page clamped), without any pin. */
export function pageMembers(remoteIds: readonly string[], page: number, perPage: number): string[] {
  const slots = othersPerPage(perPage);
  const count = Math.max(1, Math.ceil(remoteIds.length / slots));
  const p = clamp(Math.trunc(page) || 0, 0, count - 1);
  return remoteIds.slice(p * slots, (p + 1) * slots);
}

/**
 * The grid: your own tile first on every page, then that page's share of the others. A pinned
 * person from another page takes the last place (or a free one on a page that is not full).
 */
export function arrangeGrid(input: GridInput): Arrangement {
  const { selfId, remoteIds, perPage, pinned } = input;
  const slots = othersPerPage(perPage);
  const pageCount = Math.max(1, Math.ceil(remoteIds.length / slots));
  const page = clamp(Math.trunc(input.page) || 0, 0, pageCount - 1);
  const members = remoteIds.slice(page * slots, (page + 1) * slots);
  let pinnedShown: string | null = null;
  if (pinned !== null && pinned !== selfId && !members.includes(pinned) && remoteIds.includes(pinned)) {
    if (members.length < slots) members.push(pinned);
    else members[slots - 1] = pinned;
    pinnedShown = pinned;
  }
  return { page, pageCount, tiles: [selfId, ...members], pinnedShown };
}

export interface SpeakerInput {
  selfId: string;
  remoteIds: readonly string[];
  /** The large tile. */
  featured: string;
  page: number;
  /** Tiles per page of the strip. */
  perPage: number;
}

/** The speaker layout: the featured tile, then a page of the strip (everyone else, you first). */
export function arrangeSpeaker(input: SpeakerInput): Arrangement {
  const { selfId, remoteIds, featured } = input;
  if (!Number.isInteger(input.perPage) || input.perPage < 1) {
    throw new TypeError(`perPage must be a positive integer, got ${input.perPage}`);
  }
  const others = [selfId, ...remoteIds].filter((id) => id !== featured);
  const pageCount = Math.max(1, Math.ceil(others.length / input.perPage));
  const page = clamp(Math.trunc(input.page) || 0, 0, pageCount - 1);
  const strip = others.slice(page * input.perPage, (page + 1) * input.perPage);
  return { page, pageCount, tiles: [featured, ...strip], pinnedShown: null };
}

/**
 * Columns and rows for `count` tiles on a page of at most `maxCols` x `maxRows`: near square,
 * wide first, as many columns as the rows allowed need.
 */
export function gridShape(count: number, maxCols: number, maxRows: number): { cols: number; rows: number } {
  const n = Math.max(1, count);
  const want = Math.max(Math.ceil(Math.sqrt(n)), Math.ceil(n / Math.max(1, maxRows)));
  const cols = clamp(want, 1, Math.max(1, maxCols));
  return { cols, rows: Math.ceil(n / cols) };
}
