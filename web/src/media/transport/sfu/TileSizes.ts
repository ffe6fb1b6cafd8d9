import { VIEWS_MAX, type SfuView } from '@parley/protocol';
import { SFU_VIEW_REPORT_MS } from '../../liveness';
import type { ViewSize } from '../Transport';
import type { SfuClock } from './SfuConnection';

/** The largest size `sfu-view` accepts on either side. */
const SIDE_MAX = 16_384;

type View = SfuView['views'][number];

export interface TileSizesOptions {
  clock: SfuClock;
  send(views: View[]): void;
}

/**
 * How large each received video is shown, reported to the forwarding unit (`sfu-view`). Tiles
 * say their size by participant and role; the reports go out by track id, gathered for
 * SFU_VIEW_REPORT_MS so that a layout change is one message, and only for sizes the server has
 * not been told yet. A size set before its track is subscribed goes out once it is.
 */
export class TileSizes {
  readonly #opts: TileSizesOptions;
  /** Wanted sizes by `<participant>\n<role>`. */
  readonly #sizes = new Map<string, ViewSize>();
  /** The subscribed video tracks by `<participant>\n<role>`. */
  #tracks = new Map<string, string>();
  /** What the server was last told, by track id (`WxH`). */
  readonly #told = new Map<string, string>();
  #timer: unknown = null;
  #closed = false;

  constructor(opts: TileSizesOptions) {
    this.#opts = opts;
  }

  set(participant: string, role: 'camera' | 'screen', size: ViewSize): void {
    if (this.#closed) return;
    this.#sizes.set(`${participant}\n${role}`, size);
    this.#schedule();
  }

  /** The video tracks now subscribed (after each subscribe answer). */
  setTracks(tracks: Array<{ participant: string; role: 'camera' | 'screen'; track: string }>): void {
    this.#tracks = new Map(tracks.map((t) => [`${t.participant}\n${t.role}`, t.track]));
    const live = new Set(this.#tracks.values());
    for (const id of [...this.#told.keys()]) if (!live.has(id)) this.#told.delete(id);
    this.#schedule();
  }

  /** The participant left: forget its tiles. */
  forget(participant: string): void {
    for (const key of [...this.#sizes.keys()]) if (key.startsWith(`${participant}\n`)) this.#sizes.delete(key);
  }

  /** The server may have forgotten everything (a new connection, a rejoin): tell it all again. */
  reset(): void {
    this.#told.clear();
    this.#schedule();
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) this.#opts.clock.clearTimeout(this.#timer);
    this.#timer = null;
  }

  #schedule(): void {
    if (this.#timer || this.#closed) return;
    this.#timer = this.#opts.clock.setTimeout(() => {
      this.#timer = null;
      this.#flush();
    }, SFU_VIEW_REPORT_MS);
  }

  #flush(): void {
    const out: View[] = [];
    for (const [key, size] of this.#sizes) {
      const track = this.#tracks.get(key);
      if (!track) continue;
      const view = { track, width: side(size?.width), height: side(size?.height) };
      const said = `${view.width}x${view.height}`;
      if (this.#told.get(track) === said) continue;
      this.#told.set(track, said);
      out.push(view);
    }
    for (let i = 0; i < out.length; i += VIEWS_MAX) this.#opts.send(out.slice(i, i + VIEWS_MAX));
  }
}

/** A side in whole device pixels within what the server accepts; 0 when not shown. */
function side(n: number | undefined): number {
  if (n === undefined || !Number.isFinite(n) || n <= 0) return 0;
  return Math.min(SIDE_MAX, Math.round(n));
}
