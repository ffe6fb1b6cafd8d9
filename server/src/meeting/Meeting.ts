import {
  HAND_BURST,
  HANDS_PER_SECOND,
  REACTION_BURST,
  REACTIONS_PER_SECOND,
  type MeetingState,
} from '@parley/protocol';
import { TokenBucket, type Clock } from '../limits/RateLimiter';

/** What a snapshot carries of a room's meeting state (see cluster/snapshot.ts). */
export interface MeetingJSON {
  hands: string[];
  spotlight: string | null;
}

/**
 * One room's raised hands (in the order they were raised) and the host's spotlight, plus each
 * participant's reaction and hand budgets. Owned by the `Room`; lives as long as it. Ids that are
 * not in the room (restored from a snapshot before their owners rejoin) are kept in place but
 * left out of what members see, so a participant who comes back finds its hand where it was.
 */
export class Meeting {
  /** Insertion order is the queue order. */
  readonly #hands = new Set<string>();
  #spotlight: string | null = null;
  readonly #reactionBudgets = new Map<string, TokenBucket>();
  readonly #handBudgets = new Map<string, TokenBucket>();

  constructor(readonly now: Clock = Date.now) {}

  /** What members see: only those present (`isPresent`) count. */
  view(isPresent: (id: string) => boolean): MeetingState {
    return {
      hands: [...this.#hands].filter(isPresent),
      spotlight: this.#spotlight !== null && isPresent(this.#spotlight) ? this.#spotlight : null,
    };
  }

  /** Raise `id`'s hand at the end of the queue; false when it was raised already (keeps its place). */
  raise(id: string): boolean {
    if (this.#hands.has(id)) return false;
    this.#hands.add(id);
    return true;
  }

  /** Lower `id`'s hand; false when it was not raised. */
  lower(id: string): boolean {
    return this.#hands.delete(id);
  }

  /** Is `id` in the queue or spotlighted (present or not)? */
  mentions(id: string): boolean {
    return this.#hands.has(id) || this.#spotlight === id;
  }

  get spotlight(): string | null {
    return this.#spotlight;
  }

  /** Spotlight `id` (or nobody); false when nothing changed. */
  setSpotlight(id: string | null): boolean {
    if (this.#spotlight === id) return false;
    this.#spotlight = id;
    return true;
  }

  /** `id` left the room: its hand goes down, its spotlight goes out. True when members must hear of it. */
  left(id: string): boolean {
    this.#reactionBudgets.delete(id);
    this.#handBudgets.delete(id);
    const lowered = this.#hands.delete(id);
    const unlit = this.#spotlight === id;
    if (unlit) this.#spotlight = null;
    return lowered || unlit;
  }

  /** Take one reaction from `id`'s budget; false past REACTION_BURST (then REACTIONS_PER_SECOND). */
  takeReaction(id: string): boolean {
    return this.#budget(this.#reactionBudgets, id, REACTIONS_PER_SECOND, REACTION_BURST).take();
  }

  /** Take one hand change from `id`'s budget; false past HAND_BURST (then HANDS_PER_SECOND). */
  takeHand(id: string): boolean {
    return this.#budget(this.#handBudgets, id, HANDS_PER_SECOND, HAND_BURST).take();
  }

  #budget(map: Map<string, TokenBucket>, id: string, rate: number, burst: number): TokenBucket {
    let b = map.get(id);
    if (!b) {
      b = new TokenBucket(rate, burst, this.now);
      map.set(id, b);
    }
    return b;
  }

  /** The state a snapshot carries; `keep` says which ids may still come back. */
  toJSON(keep: (id: string) => boolean = () => true): MeetingJSON {
    return {
      hands: [...this.#hands].filter(keep),
      spotlight: this.#spotlight !== null && keep(this.#spotlight) ? this.#spotlight : null,
    };
  }

  /** Take over the state written by `toJSON` (on a fresh meeting); malformed parts are ignored. */
  restore(data: unknown): void {
    if (typeof data !== 'object' || data === null) return;
    const d = data as { hands?: unknown; spotlight?: unknown };
    if (Array.isArray(d.hands)) {
      for (const id of d.hands) if (typeof id === 'string' && id.length > 0) this.#hands.add(id);
    }
    if (typeof d.spotlight === 'string' && d.spotlight.length > 0) this.#spotlight = d.spotlight;
  }
}
