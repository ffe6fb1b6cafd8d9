/**
 * Telling the call how large each remote camera and screen is shown (`Call.setView`), so that a
 * room through the forwarding unit sends a layer that fits and no video at all for a tile that
 * is not on screen. Pure decisions plus `TileViews`, which collects sizes and reports once they
 * settle; useTileViews.ts wires it to a ResizeObserver and the page's visibility.
 */

export type Role = 'camera' | 'screen';
export type Size = { width: number; height: number };
export type ViewSize = Size | null;

/** Reports wait until sizes have not changed for this long, in ms (a window resize is many changes). */
export const VIEW_SETTLE_MS = 200;
/** ...but no longer than this while changes keep coming, in ms. */
export const VIEW_MAX_WAIT_MS = 1_000;
/** A size is reported again when width or height changes by this share of the last report... */
export const VIEW_STEP_RATIO = 0.15;
/** ...and by at least this many device pixels (small tiles jitter by a few pixels). */
export const VIEW_STEP_MIN_PX = 16;

/** The key of one view: role and participant id. */
export function viewKey(role: Role, participantId: string): string {
  return `${role}:${participantId}`;
}

function parseKey(key: string): { role: Role; participantId: string } {
  const i = key.indexOf(':');
  const role = key.slice(0, i);
  if (role !== 'camera' && role !== 'screen') throw new TypeError(`not a view key: ${key}`);
  return { role, participantId: key.slice(i + 1) };
}

/** An element's size in device pixels (rounded), or null when it has no area. */
export function devicePixels(cssWidth: number, cssHeight: number, dpr: number): ViewSize {
  const ratio = Number.isFinite(dpr) && dpr > 0 ? dpr : 1;
  const width = Math.round(cssWidth * ratio);
  const height = Math.round(cssHeight * ratio);
  return width > 0 && height > 0 ? { width, height } : null;
}

/** Whether `next` differs enough from the last report `prev` (undefined: never reported) to send. */
export function meaningfulChange(prev: ViewSize | undefined, next: ViewSize): boolean {
  if (prev === undefined) return true;
  if (prev === null || next === null) return prev !== next;
  const moved = (a: number, b: number): boolean =>
    Math.abs(a - b) >= Math.max(VIEW_STEP_MIN_PX, VIEW_STEP_RATIO * Math.max(a, 1));
  return moved(prev.width, next.width) || moved(prev.height, next.height);
}

export interface ViewChange {
  participantId: string;
  role: Role;
  size: ViewSize;
}

/**
 * The reports to send to go from what was `sent` to what is `wanted`. Views that are no longer
 * wanted (the person left, the share ended) are forgotten without a report.
 */
export function viewChanges(sent: ReadonlyMap<string, ViewSize>, wanted: ReadonlyMap<string, ViewSize>): ViewChange[] {
  const out: ViewChange[] = [];
  for (const [key, size] of wanted) {
    if (meaningfulChange(sent.get(key), size)) out.push({ ...parseKey(key), size });
  }
  return out;
}

export interface ViewInput {
  /** Every other participant, with whether their camera is on. */
  remotes: ReadonlyArray<{ id: string; videoOn: boolean }>;
  /** The others who share a screen now. */
  screens: readonly string[];
  /** Rendered tiles' sizes in device pixels, by view key; a tile not rendered has none. */
  sizes: ReadonlyMap<string, ViewSize>;
  /** The page is hidden (another tab, minimised). */
  hidden: boolean;
}

/** The size every remote view should have: its rendered size, or null when not shown. */
export function wantedViews(input: ViewInput): Map<string, ViewSize> {
  const wanted = new Map<string, ViewSize>();
  const shown = (key: string): ViewSize => (input.hidden ? null : (input.sizes.get(key) ?? null));
  for (const r of input.remotes) {
    const key = viewKey('camera', r.id);
    wanted.set(key, r.videoOn ? shown(key) : null);
  }
  for (const id of input.screens) wanted.set(viewKey('screen', id), shown(viewKey('screen', id)));
  return wanted;
}

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
  now(): number;
}

export const realTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  now: () => performance.now(),
};

/**
 * Collects tile sizes, the participant list and the page's visibility, and reports the views
 * that changed once things settle (VIEW_SETTLE_MS after the last change, at most
 * VIEW_MAX_WAIT_MS after the first). Hiding the page reports at once.
 */
export class TileViews {
  readonly #report: (participantId: string, role: Role, size: ViewSize) => void;
  readonly #timers: Timers;
  readonly #sizes = new Map<string, ViewSize>();
  readonly #sent = new Map<string, ViewSize>();
  #remotes: ViewInput['remotes'] = [];
  #screens: readonly string[] = [];
  #hidden = false;
  #timer: unknown = null;
  #firstChangeAt: number | null = null;
  #closed = false;

  constructor(report: (participantId: string, role: Role, size: ViewSize) => void, timers: Timers = realTimers) {
    this.#report = report;
    this.#timers = timers;
  }

  /** A tile's rendered size in device pixels; null when it is no longer rendered. */
  setSize(key: string, size: ViewSize): void {
    if (size === null) this.#sizes.delete(key);
    else this.#sizes.set(key, size);
    this.#changed();
  }

  setParticipants(remotes: ViewInput['remotes'], screens: readonly string[]): void {
    this.#remotes = remotes;
    this.#screens = screens;
    this.#changed();
  }

  setHidden(hidden: boolean): void {
    if (hidden === this.#hidden) return;
    this.#hidden = hidden;
    this.flush();
  }

  /** Send the reports that are due now. */
  flush(): void {
    if (this.#closed) return;
    this.#cancel();
    const wanted = wantedViews({
      remotes: this.#remotes,
      screens: this.#screens,
      sizes: this.#sizes,
      hidden: this.#hidden,
    });
    const changes = viewChanges(this.#sent, wanted);
    for (const key of [...this.#sent.keys()]) if (!wanted.has(key)) this.#sent.delete(key);
    for (const c of changes) {
      this.#sent.set(viewKey(c.role, c.participantId), c.size);
      this.#report(c.participantId, c.role, c.size);
    }
  }

  /** Stop reporting (idempotent). */
  close(): void {
    this.#cancel();
    this.#closed = true;
  }

  #changed(): void {
    if (this.#closed) return;
    const now = this.#timers.now();
    this.#firstChangeAt ??= now;
    if (this.#timer !== null) this.#timers.clear(this.#timer);
    const wait = Math.max(0, Math.min(VIEW_SETTLE_MS, this.#firstChangeAt + VIEW_MAX_WAIT_MS - now));
    this.#timer = this.#timers.set(() => this.flush(), wait);
  }

  #cancel(): void {
    if (this.#timer !== null) this.#timers.clear(this.#timer);
    this.#timer = null;
    this.#firstChangeAt = null;
  }
}
