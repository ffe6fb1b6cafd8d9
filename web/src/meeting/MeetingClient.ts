import {
  errorMessages,
  REACTIONS,
  type MeetingClientEventName,
  type MeetingClientEvents as MeetingRequests,
  type MeetingOkReply,
  type MeetingState,
  type Reaction,
  type ReactionEvent,
} from '@parley/protocol';
import { Emitter } from '../emitter';

/** How long a reaction floats over its sender's tile, in ms. */
export const REACTION_SHOW_MS = 4_000;

/** What the meeting client needs of a call (the real one is made in callFeatures.ts). */
export interface MeetingLink {
  onState(listener: (state: MeetingState) => void): () => void;
  onReaction(listener: (r: ReactionEvent) => void): () => void;
  /** The call's phase became `joined` (after a join or a rejoin), or left it. */
  onJoined(listener: (joined: boolean) => void): () => void;
  request<K extends MeetingClientEventName>(
    event: K,
    payload: Parameters<MeetingRequests[K]>[0],
  ): Promise<MeetingOkReply>;
  /** Your participant id, once joined. */
  selfId(): string | null;
}

/** Timers, so tests can drive time. */
export interface MeetingTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}
const realTimers: MeetingTimers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** A reaction on screen now. */
export interface LiveReaction {
  /** Unique while shown (React key). */
  key: number;
  from: string;
  emoji: Reaction;
}

export interface MeetingSnapshot {
  /** Raised hands, first raised first. */
  hands: string[];
  /** The host's spotlight, or null. */
  spotlight: string | null;
  /** The participant you pinned for yourself, or null. */
  pinned: string | null;
  /** Reactions floating now, oldest first. */
  reactions: LiveReaction[];
  /** The latest refusal of something you asked (a sentence), or null. */
  error: string | null;
}

export interface MeetingEvents {
  change: (snapshot: MeetingSnapshot) => void;
  /** Someone else raised their hand (not on joining a room where hands were already up). */
  'hand-raised': (e: { id: string; position: number }) => void;
  /** A reaction arrived (someone else's) or was sent (yours). */
  reaction: (r: { from: string; emoji: Reaction }) => void;
}

/**
 * Hands, reactions, spotlight and your own pin for one call. Requests go to the server, which
 * holds the truth (the hand queue, the spotlight); the pin is yours alone. No React here.
 */
export class MeetingClient extends Emitter<MeetingEvents> {
  readonly #link: MeetingLink;
  readonly #timers: MeetingTimers;
  readonly #offs: Array<() => void>;
  #hands: string[] = [];
  #spotlight: string | null = null;
  #pinned: string | null = null;
  #reactions: LiveReaction[] = [];
  #error: string | null = null;
  #nextKey = 1;
  /** The next state is the room's as found on (re)joining: hands in it were not "just raised". */
  #fresh = true;
  readonly #pending = new Set<unknown>();
  #snapshot: MeetingSnapshot | null = null;

  constructor(link: MeetingLink, timers: MeetingTimers = realTimers) {
    super();
    this.#link = link;
    this.#timers = timers;
    this.#offs = [
      link.onState((s) => this.#state(s)),
      link.onReaction((r) => {
        if (r.from !== link.selfId() && (REACTIONS as readonly string[]).includes(r.emoji)) this.#show(r.from, r.emoji);
      }),
      link.onJoined((joined) => {
        if (joined) return;
        this.#fresh = true;
      }),
    ];
  }

  get snapshot(): MeetingSnapshot {
    this.#snapshot ??= {
      hands: this.#hands,
      spotlight: this.#spotlight,
      pinned: this.#pinned,
      reactions: this.#reactions,
      error: this.#error,
    };
    return this.#snapshot;
  }

  /** 1-based place of `id` in the hand queue, or 0 when its hand is down. */
  handPosition(id: string): number {
    return this.#hands.indexOf(id) + 1;
  }

  get handRaised(): boolean {
    const self = this.#link.selfId();
    return self !== null && this.#hands.includes(self);
  }

  raiseHand(): Promise<boolean> {
    return this.#ask('hand-raise', {});
  }

  /** Lower your own hand, or (as the host) `id`'s. */
  lowerHand(id?: string): Promise<boolean> {
    return this.#ask('hand-lower', id === undefined ? {} : { id });
  }

  toggleHand(): Promise<boolean> {
    return this.handRaised ? this.lowerHand() : this.raiseHand();
  }

  async react(emoji: Reaction): Promise<boolean> {
    const ok = await this.#ask('reaction-send', { emoji });
    const self = this.#link.selfId();
    if (ok && self !== null) this.#show(self, emoji);
    return ok;
  }

  /** Host only (the server refuses anyone else): feature `id` for everyone, or nobody. */
  spotlight(id: string | null): Promise<boolean> {
    return this.#ask('spotlight', { id });
  }

  /** Pin `id` for yourself (null: unpin). Pinning the one pinned again unpins. */
  togglePin(id: string): void {
    this.pin(this.#pinned === id ? null : id);
  }

  pin(id: string | null): void {
    if (this.#pinned === id) return;
    this.#pinned = id;
    this.#changed();
  }

  dispose(): void {
    for (const off of this.#offs) off();
    for (const h of this.#pending) this.#timers.clear(h);
    this.#pending.clear();
    this.removeAllListeners();
  }

  async #ask<K extends MeetingClientEventName>(event: K, payload: Parameters<MeetingRequests[K]>[0]): Promise<boolean> {
    let reply: MeetingOkReply;
    try {
      reply = await this.#link.request(event, payload);
    } catch (err) {
      reply = { ok: false, error: 'cluster-unavailable', message: err instanceof Error ? err.message : String(err) };
    }
    const error = reply.ok ? null : (reply.message ?? errorMessages[reply.error]);
    if (error !== this.#error) {
      this.#error = error;
      this.#changed();
    }
    return reply.ok;
  }

  #state(s: MeetingState): void {
    const before = new Set(this.#hands);
    const self = this.#link.selfId();
    const announce = !this.#fresh;
    this.#fresh = false;
    this.#hands = [...s.hands];
    this.#spotlight = s.spotlight;
    this.#changed();
    if (!announce) return;
    this.#hands.forEach((id, i) => {
      if (!before.has(id) && id !== self) this.emit('hand-raised', { id, position: i + 1 });
    });
  }

  #show(from: string, emoji: Reaction): void {
    const live: LiveReaction = { key: this.#nextKey++, from, emoji };
    this.#reactions = [...this.#reactions, live];
    this.#changed();
    this.emit('reaction', { from, emoji });
    const handle = this.#timers.set(() => {
      this.#pending.delete(handle);
      this.#reactions = this.#reactions.filter((r) => r !== live);
      this.#changed();
    }, REACTION_SHOW_MS);
    this.#pending.add(handle);
  }

  #changed(): void {
    this.#snapshot = null;
    this.emit('change', this.snapshot);
  }
}
