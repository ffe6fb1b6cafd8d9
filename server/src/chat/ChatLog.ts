import { CHAT_HISTORY_MAX, chatKey, type ChatMessage } from '@parley/protocol';

/** How many message keys a room remembers for de-duplication (beyond the history itself). */
export const CHAT_DEDUP_MAX = 1_000;

/** The outcome of `ChatLog.add`: the stored message, and whether it is new (to be relayed). */
export interface ChatAdded {
  message: ChatMessage;
  fresh: boolean;
}

/**
 * One room's chat: the last CHAT_HISTORY_MAX messages, and the keys of recent messages so that a
 * message resent after a reconnect (same sender, same client id) is stored and relayed once.
 * Lives as long as its room does.
 */
export class ChatLog {
  readonly #history: ChatMessage[] = [];
  readonly #seen = new Map<string, ChatMessage>();

  constructor(
    readonly historyMax = CHAT_HISTORY_MAX,
    readonly dedupMax = CHAT_DEDUP_MAX,
  ) {
    if (historyMax < 1 || dedupMax < historyMax) throw new TypeError('ChatLog: need 1 <= historyMax <= dedupMax');
  }

  /** Record a message, or return the one already recorded under the same key. */
  add(message: ChatMessage): ChatAdded {
    const key = chatKey(message);
    const known = this.#seen.get(key);
    if (known) return { message: known, fresh: false };
    this.#seen.set(key, message);
    if (this.#seen.size > this.dedupMax) {
      const oldest = this.#seen.keys().next().value;
      if (oldest !== undefined) this.#seen.delete(oldest);
    }
    this.#history.push(message);
    if (this.#history.length > this.historyMax) this.#history.shift();
    return { message, fresh: true };
  }

  /** The recent messages `participantId` may see (public ones and its own private ones), oldest first. */
  visibleTo(participantId: string): ChatMessage[] {
    return this.#history.filter((m) => m.to === undefined || m.to === participantId || m.from === participantId);
  }

  /** What another server needs to carry the log on: the history and the latest de-duplication keys. */
  toJSON(seenMax = 200): { history: ChatMessage[]; seen: Array<[string, ChatMessage]> } {
    return { history: [...this.#history], seen: [...this.#seen].slice(-seenMax) };
  }

  /** Take over a log written by `toJSON` (on a fresh log). */
  restore(data: { history?: unknown; seen?: unknown }): void {
    const history = Array.isArray(data.history) ? (data.history as ChatMessage[]) : [];
    const seen = Array.isArray(data.seen) ? (data.seen as Array<[string, ChatMessage]>) : [];
    for (const [key, message] of seen.slice(-this.dedupMax)) {
      if (typeof key === 'string' && message && typeof message === 'object') this.#seen.set(key, message);
    }
    for (const m of history.slice(-this.historyMax)) {
      if (!m || typeof m !== 'object') continue;
      this.#history.push(m);
      this.#seen.set(chatKey(m), m);
    }
  }

  get size(): number {
    return this.#history.length;
  }
}
