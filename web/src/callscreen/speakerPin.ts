/**
 * Keeping the active speaker in view without the grid jumping at every change of voice: a
 * speaker whose tile is on another page is pinned onto the current one, and a pin is replaced by
 * a newer one only after it has been shown for PIN_HOLD_MS.
 */

import { realTimers, type Timers } from './viewReports';

/** Shortest time a pinned speaker stays before another speaker takes the place, in ms. */
export const PIN_HOLD_MS = 1_500;

export interface PinState {
  /** Who is pinned, or null. */
  id: string | null;
  /** When they were pinned (ms, any monotonic clock). */
  at: number;
}

export const noPin: PinState = { id: null, at: 0 };

export interface PinInput {
  /** The active speaker now (the server's, else the local detection), or null. */
  speaker: string | null;
  /** The others in the call. */
  present: ReadonlySet<string>;
  /** The others whose own place is on the page shown (see gallery.pageMembers). */
  onPage: ReadonlySet<string>;
  now: number;
}

export interface PinStep {
  state: PinState;
  /** When to look again because a swap waits for the hold to run out (else null). */
  recheckAt: number | null;
}

/**
 * The next pin. A pin ends when its person leaves or their own page is shown. A speaker who is
 * not on the page is pinned at once when nobody is, and replaces a pin that has had its hold;
 * the last pinned speaker stays while the speaker is someone on the page (no jump back).
 */
export function nextPin(prev: PinState, input: PinInput): PinStep {
  const { speaker, present, onPage, now } = input;
  let state = prev;
  if (state.id !== null && (!present.has(state.id) || onPage.has(state.id))) state = noPin;
  const want = speaker !== null && present.has(speaker) && !onPage.has(speaker) ? speaker : null;
  if (want === null || want === state.id) return { state, recheckAt: null };
  if (state.id === null || now - state.at >= PIN_HOLD_MS) return { state: { id: want, at: now }, recheckAt: null };
  return { state, recheckAt: state.at + PIN_HOLD_MS };
}

/**
 * The pinned speaker over time: `update` with what the screen shows; a swap that waits for the
 * hold is looked at again when the hold runs out. Subscribe for changes.
 */
export class PinKeeper {
  readonly #timers: Timers;
  #state: PinState = noPin;
  #timer: unknown = null;
  readonly #listeners = new Set<() => void>();

  constructor(timers: Timers = realTimers) {
    this.#timers = timers;
  }

  get id(): string | null {
    return this.#state.id;
  }

  update(input: Omit<PinInput, 'now'>): void {
    if (this.#timer !== null) this.#timers.clear(this.#timer);
    this.#timer = null;
    const now = this.#timers.now();
    const step = nextPin(this.#state, { ...input, now });
    if (step.recheckAt !== null) this.#timer = this.#timers.set(() => this.update(input), step.recheckAt - now);
    if (step.state === this.#state) return;
    this.#state = step.state;
    for (const l of this.#listeners) l();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0 && this.#timer !== null) this.#timers.clear(this.#timer);
    };
  };
}
