/**
 * Which simulcast layer each subscriber gets of each video: the forwarding unit's decision, kept
 * apart from the engine so it can be tested on recorded layer reports.
 *
 * A layer fits a tile when its height is at most 1.5 times the tile's (device pixels): a little
 * larger than shown looks sharp, much larger only costs bandwidth. Within the bandwidth the
 * subscriber's connection estimates, the largest tiles are served first; a video whose fitting
 * layer does not fit the remaining budget steps down, to the lowest layer at worst. A hidden
 * tile (0x0) gets nothing.
 */
import type { LayerInfo } from './engine/Engine';

/** How large a video is shown: null when hidden, undefined when the subscriber never said. */
export type View = { width: number; height: number } | null | undefined;

/** How much taller than the tile a layer may be and still count as fitting. */
export const FIT_FACTOR = 1.5;

/**
 * The layer of one video that fits the tile, ignoring bandwidth. `rids` are the layers offered
 * (publisher's order); `layers` those arriving now, smallest first. Returns '' for a single
 * encoding, null for no video.
 */
export function fittingLayer(rids: readonly string[], layers: readonly LayerInfo[], view: View): string | null {
  if (view === null || (view !== undefined && (view.width === 0 || view.height === 0))) return null;
  if (rids.length === 0) return '';
  const active = layers.filter((l) => l.bitrate > 0 && rids.includes(l.rid));
  const pool = active.length > 0 ? active.map((l) => l.rid) : ordered(rids);
  if (view === undefined) return pool[Math.floor((pool.length - 1) / 2)] ?? null;
  const known = active.length > 0 && active.every((l) => l.height > 0);
  if (known) {
    let best = active[0]!.rid;
    for (const l of active) if (l.height <= view.height * FIT_FACTOR) best = l.rid;
    return best;
  }
  // Sizes not known yet: the usual ladder of quarter, half and full size of a 720p camera.
  const index = view.height <= 180 ? 0 : view.height <= 360 ? Math.min(1, pool.length - 1) : pool.length - 1;
  return pool[index] ?? null;
}

/** rids ordered smallest first when they follow Parley's `q`/`h`/`f` naming, else as offered. */
function ordered(rids: readonly string[]): string[] {
  const rank = (r: string): number => ['q', 'h', 'f'].indexOf(r);
  return rids.every((r) => rank(r) >= 0) ? [...rids].sort((a, b) => rank(a) - rank(b)) : [...rids];
}

export interface VideoRequest {
  key: string;
  rids: readonly string[];
  layers: readonly LayerInfo[];
  view: View;
}

/**
 * The layer of every video one subscriber receives, within `budget` bits per second (0 or
 * Infinity: not known yet, no limit). Largest tiles first; each steps down until it fits.
 */
export function allocate(videos: readonly VideoRequest[], budget: number): Map<string, string | null> {
  const out = new Map<string, string | null>();
  const limited = Number.isFinite(budget) && budget > 0;
  let left = budget;
  const area = (v: View): number => (v ? v.width * v.height : v === undefined ? 1 : 0);
  const byArea = [...videos].sort((a, b) => area(b.view) - area(a.view));
  for (const v of byArea) {
    const want = fittingLayer(v.rids, v.layers, v.view);
    if (want === null || want === '' || !limited) {
      out.set(v.key, want);
      if (limited && want === '') left -= rate(v.layers, '') ?? 0;
      continue;
    }
    const active = v.layers.filter((l) => l.bitrate > 0 && v.rids.includes(l.rid));
    let i = active.findIndex((l) => l.rid === want);
    if (i < 0) {
      out.set(v.key, want);
      continue;
    }
    while (i > 0 && active[i]!.bitrate > left) i--;
    const chosen = active[i]!;
    out.set(v.key, chosen.rid);
    left -= chosen.bitrate;
  }
  return out;
}

function rate(layers: readonly LayerInfo[], rid: string): number | undefined {
  return layers.find((l) => l.rid === rid)?.bitrate;
}
