import { Emitter } from '../emitter';
import { realTimers, type Timers } from '../callscreen/viewReports';

/** How long an informational notice (one without actions) stays on screen, in ms. */
export const NOTICE_INFO_MS = 6_000;
/**
 * Most notices held at once. A new one beyond that pushes out the oldest informational one, else
 * the oldest of all: a flood (a peer offering files as fast as it can) never grows the page.
 */
export const NOTICES_MAX = 20;
/** Longest notice text kept, in characters; longer text is cut with an ellipsis. */
export const NOTICE_TEXT_MAX = 200;

export interface NoticeAction {
  /** The button's text (its accessible name). */
  label: string;
  /** What the button does. The notice is dismissed first, unless `keepOpen`. */
  run: () => void;
  /** Leave the notice on screen after `run` (the action itself updates or dismisses it). */
  keepOpen?: boolean;
}

export interface NoticeInput {
  /**
   * Names what the notice is about (`file:<key>`, `lobby:<id>`, `chat`). Showing an id that is
   * already shown replaces its text and actions in place, so a notice is never doubled.
   */
  id: string;
  text: string;
  actions?: NoticeAction[];
  /**
   * Milliseconds on screen, or null to stay until dismissed. Default: NOTICE_INFO_MS for a notice
   * without actions, null (until answered or dismissed) for one with actions.
   */
  timeoutMs?: number | null;
}

export interface Notice {
  id: string;
  text: string;
  actions: readonly NoticeAction[];
  timeoutMs: number | null;
}

export interface NoticeStoreEvents {
  change: (notices: readonly Notice[]) => void;
}

interface Entry {
  notice: Notice;
  /** The pending timeout, or null (none, or held). */
  timer: unknown;
  /** Time left when the timeout is held, else the time it falls due. */
  dueAt: number;
  remaining: number;
  held: number;
}

function clip(text: string): string {
  return text.length <= NOTICE_TEXT_MAX ? text : `${text.slice(0, NOTICE_TEXT_MAX - 1)}…`;
}

/**
 * The short notices of the call screen, oldest first: show, replace by id, dismiss, and the
 * timeouts of informational ones, held while the person hovers or focuses them. No React here.
 */
export class NoticeStore extends Emitter<NoticeStoreEvents> {
  readonly #timers: Timers;
  readonly #entries = new Map<string, Entry>();
  #list: readonly Notice[] = [];

  constructor(timers: Timers = realTimers) {
    super();
    this.#timers = timers;
  }

  /** The notices on screen, oldest first. The same array until something changes. */
  get list(): readonly Notice[] {
    return this.#list;
  }

  has(id: string): boolean {
    return this.#entries.has(id);
  }

  /** Show a notice, or update the one with the same id (its timeout starts again). */
  show(input: NoticeInput): void {
    if (typeof input.id !== 'string' || input.id === '') throw new TypeError('notice id must be a non-empty string');
    if (typeof input.text !== 'string') throw new TypeError('notice text must be a string');
    const actions = input.actions ?? [];
    const timeoutMs = input.timeoutMs === undefined ? (actions.length > 0 ? null : NOTICE_INFO_MS) : input.timeoutMs;
    if (timeoutMs !== null && !(timeoutMs > 0)) throw new TypeError('notice timeoutMs must be positive or null');
    const notice: Notice = { id: input.id, text: clip(input.text), actions, timeoutMs };
    const old = this.#entries.get(input.id);
    if (old) this.#clearTimer(old);
    const entry: Entry = { notice, timer: null, dueAt: 0, remaining: timeoutMs ?? 0, held: old?.held ?? 0 };
    // A Map keeps the first insertion's place: a replaced notice stays where it was.
    this.#entries.set(input.id, entry);
    if (!old) this.#trim();
    if (entry.held === 0) this.#arm(entry);
    this.#changed();
  }

  /** Take a notice away (answered, closed, or moot). Returns whether it was shown. */
  dismiss(id: string): boolean {
    const entry = this.#entries.get(id);
    if (!entry) return false;
    this.#clearTimer(entry);
    this.#entries.delete(id);
    this.#changed();
    return true;
  }

  /** Dismiss every notice whose id starts with `prefix` and that `keep` does not keep. */
  dismissWhere(prefix: string, keep: (id: string) => boolean = () => false): void {
    for (const id of [...this.#entries.keys()]) {
      if (id.startsWith(prefix) && !keep(id)) this.dismiss(id);
    }
  }

  /** Run an action of a notice as its button does. */
  act(id: string, label: string): void {
    const entry = this.#entries.get(id);
    const action = entry?.notice.actions.find((a) => a.label === label);
    if (!action) return;
    if (!action.keepOpen) this.dismiss(id);
    action.run();
  }

  /** Pause a notice's timeout (hovered or focused); `release` resumes it with the time it had left. */
  hold(id: string): void {
    const entry = this.#entries.get(id);
    if (!entry) return;
    if (entry.held++ > 0 || entry.timer === null) return;
    entry.remaining = Math.max(0, entry.dueAt - this.#timers.now());
    this.#clearTimer(entry);
  }

  release(id: string): void {
    const entry = this.#entries.get(id);
    if (!entry || entry.held === 0) return;
    if (--entry.held === 0) this.#arm(entry);
  }

  /** Dismiss everything (the call screen went away). */
  clear(): void {
    if (this.#entries.size === 0) return;
    for (const e of this.#entries.values()) this.#clearTimer(e);
    this.#entries.clear();
    this.#changed();
  }

  #arm(entry: Entry): void {
    if (entry.notice.timeoutMs === null) return;
    const ms = entry.remaining;
    entry.dueAt = this.#timers.now() + ms;
    entry.timer = this.#timers.set(() => {
      entry.timer = null;
      if (this.#entries.get(entry.notice.id) === entry) this.dismiss(entry.notice.id);
    }, ms);
  }

  #clearTimer(entry: Entry): void {
    if (entry.timer !== null) this.#timers.clear(entry.timer);
    entry.timer = null;
  }

  #trim(): void {
    while (this.#entries.size > NOTICES_MAX) {
      const all = [...this.#entries.values()];
      const victim = all.find((e) => e.notice.actions.length === 0) ?? all[0];
      if (!victim) return;
      this.#clearTimer(victim);
      this.#entries.delete(victim.notice.id);
    }
  }

  #changed(): void {
    this.#list = [...this.#entries.values()].map((e) => e.notice);
    this.emit('change', this.#list);
  }
}

/** The notices of this page: the one store every part of the call screen shows notices through. */
export const notices = new NoticeStore();
