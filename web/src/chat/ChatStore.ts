import { chatKey, type ChatMessage } from '@parley/protocol';

export type ChatStatus = 'sending' | 'sent' | 'failed';

export interface ChatEntry {
  message: ChatMessage;
  status: ChatStatus;
  /** Why a message failed (a sentence), when it did. */
  error?: string;
}

/**
 * The messages one participant sees, keyed by `(from, id)` so that a message is shown once
 * however often it arrives (live, in history after a rejoin, or as the answer to a resend).
 */
export class ChatStore {
  readonly #entries = new Map<string, ChatEntry>();

  /** A message this participant is sending: shown at once as "sending". */
  addOwn(message: ChatMessage): ChatEntry {
    const entry: ChatEntry = { message, status: 'sending' };
    this.#entries.set(chatKey(message), entry);
    return entry;
  }

  /** The server acknowledged an own message: keep its copy (server time) and mark it sent. */
  acknowledged(message: ChatMessage): void {
    this.#entries.set(chatKey(message), { message, status: 'sent' });
  }

  /** An own message was refused for good. */
  failed(key: string, error: string): void {
    const e = this.#entries.get(key);
    if (e) this.#entries.set(key, { ...e, status: 'failed', error });
  }

  /** A message from the server (live or history). Returns true when it was not shown before. */
  receive(message: ChatMessage): boolean {
    const key = chatKey(message);
    const known = this.#entries.get(key);
    if (known) {
      // History after a rejoin can be the first news that an own message got through.
      if (known.status === 'sending') this.#entries.set(key, { message, status: 'sent' });
      return false;
    }
    this.#entries.set(key, { message, status: 'sent' });
    return true;
  }

  /** Own messages still waiting for an acknowledgement, oldest first. */
  pending(): ChatEntry[] {
    return [...this.#entries.values()].filter((e) => e.status === 'sending');
  }

  /** Everything to show, in time order (stable for equal times). */
  list(): ChatEntry[] {
    return [...this.#entries.values()]
      .map((e, i) => ({ e, i }))
      .sort((a, b) => a.e.message.at - b.e.message.at || a.i - b.i)
      .map(({ e }) => e);
  }
}
