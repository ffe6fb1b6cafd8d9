import { chatKey, type ChatMessage } from '@parley/protocol';

export type ChatStatus = 'sending' | 'sent' | 'failed';

export interface ChatEntry {
  message: ChatMessage;
  status: ChatStatus;
  /** Why a message failed (a sentence), when it did. */
  error?: string;
}

/** Messages a page keeps (the newest); older ones are dropped and the panel says so. */
export const CHAT_KEEP_MAX = 1_000;

/** What the store did, counted (for tests and benchmarks of its cost per message). */
export interface ChatStoreWork {
  /** Time comparisons made to place messages. */
  compares: number;
  /** Entries shifted by inserts out of order and by dropping the oldest. */
  moves: number;
}

/**
 * The messages one participant sees, keyed by `(from, id)` so that a message is shown once
 * however often it arrives (live, in history after a rejoin, or as the answer to a resend).
 *
 * The list is kept in time order as messages come (stable for equal times): a message newer
 * than the last is appended, anything else is placed by binary search. Only the newest
 * `keep` are kept; own messages still waiting for an acknowledgement are remembered apart so
 * that a rejoin resends them even when they are no longer shown.
 */
export class ChatStore {
  readonly keep: number;
  readonly work: ChatStoreWork = { compares: 0, moves: 0 };
  /** Shown entries in time order; `#head` entries at the front are dropped ones not yet compacted. */
  #order: ChatEntry[] = [];
  #head = 0;
  readonly #byKey = new Map<string, ChatEntry>();
  readonly #pending = new Map<string, ChatEntry>();
  #dropped = false;
  #list: ChatEntry[] | null = null;

  constructor(opts: { keep?: number } = {}) {
    const keep = opts.keep ?? CHAT_KEEP_MAX;
    if (!Number.isInteger(keep) || keep < 1) throw new TypeError('keep must be a positive integer');
    this.keep = keep;
  }

  /** Whether older messages were dropped (or refused as too old) to stay within `keep`. */
  get dropped(): boolean {
    return this.#dropped;
  }

  /** Entries shown now. */
  get size(): number {
    return this.#order.length - this.#head;
  }

  /** A message this participant is sending: shown at once as "sending". */
  addOwn(message: ChatMessage): ChatEntry {
    const entry: ChatEntry = { message, status: 'sending' };
    const key = chatKey(message);
    this.#pending.set(key, entry);
    this.#put(key, entry);
    return entry;
  }

  /** The server acknowledged an own message: keep its copy (server time) and mark it sent. */
  acknowledged(message: ChatMessage): void {
    const key = chatKey(message);
    this.#pending.delete(key);
    this.#put(key, { message, status: 'sent' });
  }

  /** An own message was refused for good. */
  failed(key: string, error: string): void {
    const e = this.#byKey.get(key) ?? this.#pending.get(key);
    this.#pending.delete(key);
    if (e) this.#put(key, { ...e, status: 'failed', error });
  }

  /** A message from the server (live or history). Returns true when it was not shown before. */
  receive(message: ChatMessage): boolean {
    const key = chatKey(message);
    const pending = this.#pending.get(key);
    if (pending) {
      // History after a rejoin can be the first news that an own message got through.
      this.#pending.delete(key);
      this.#put(key, { message, status: 'sent' });
      return false;
    }
    if (this.#byKey.has(key)) return false;
    return this.#put(key, { message, status: 'sent' });
  }

  /** Own messages still waiting for an acknowledgement, oldest first. */
  pending(): ChatEntry[] {
    return [...this.#pending.values()];
  }

  /** Everything to show, in time order (stable for equal times). The same array until a change. */
  list(): ChatEntry[] {
    this.#list ??= this.#order.slice(this.#head);
    return this.#list;
  }

  /**
   * Show `entry` under `key` (replacing an earlier entry of that key). Returns false when it is
   * older than everything kept while the store is full, so it would be dropped at once.
   */
  #put(key: string, entry: ChatEntry): boolean {
    const old = this.#byKey.get(key);
    if (old) {
      const at = this.#indexOf(old);
      if (at >= 0 && old.message.at === entry.message.at) {
        // Same place (the usual acknowledgement): replace in place.
        this.#order[at] = entry;
        this.#byKey.set(key, entry);
        this.#list = null;
        return true;
      }
      if (at >= 0) {
        this.work.moves += this.#order.length - at;
        this.#order.splice(at, 1);
      }
      this.#byKey.delete(key);
    }
    const at = this.#insertionPoint(entry.message.at);
    if (this.size >= this.keep && at === this.#head) {
      this.#dropped = true;
      return false;
    }
    if (at === this.#order.length) this.#order.push(entry);
    else {
      this.work.moves += this.#order.length - at;
      this.#order.splice(at, 0, entry);
    }
    this.#byKey.set(key, entry);
    while (this.size > this.keep) this.#dropOldest();
    this.#list = null;
    return true;
  }

  #dropOldest(): void {
    const e = this.#order[this.#head];
    this.#order[this.#head] = undefined as unknown as ChatEntry;
    this.#head++;
    if (e) this.#byKey.delete(chatKey(e.message));
    this.#dropped = true;
    // Compact now and then, so dropping stays O(1) per message on average.
    if (this.#head >= this.keep) {
      this.work.moves += this.#order.length - this.#head;
      this.#order = this.#order.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Index after every shown entry with time <= `at` (appending is the common case). */
  #insertionPoint(at: number): number {
    const order = this.#order;
    let hi = order.length;
    this.work.compares++;
    if (hi === this.#head || order[hi - 1]!.message.at <= at) return hi;
    let lo = this.#head;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      this.work.compares++;
      if (order[mid]!.message.at <= at) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Where `entry` sits, found by its time (then by identity among equal times); -1 if not shown. */
  #indexOf(entry: ChatEntry): number {
    const at = entry.message.at;
    const order = this.#order;
    let lo = this.#head;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      this.work.compares++;
      if (order[mid]!.message.at < at) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < order.length && order[i]!.message.at === at; i++) if (order[i] === entry) return i;
    return -1;
  }
}
