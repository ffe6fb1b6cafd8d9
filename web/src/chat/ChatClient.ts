import { chatKey, chatTextProblem, errorMessages, type ChatMessage, type ErrorId } from '@parley/protocol';
import { Emitter } from '../emitter';
import type { Call, CallPhase } from '../media/Call';
import { randomId } from '../randomId';
import { ChatStore, type ChatEntry } from './ChatStore';

/** How long to wait before resending after a request timed out while still joined. */
export const CHAT_RETRY_MS = 1_000;
/**
 * At most one change event per this interval (the first at once): a burst of messages, each
 * its own network event, then costs the page one render per interval, not one per message.
 */
export const CHAT_PUBLISH_MS = 50;
/** What an E2EE room's chat shows for a message that its room key does not open. */
export const UNREADABLE_TEXT = '🔒 This message could not be decrypted: it was sealed with another key.';

export interface ChatSnapshot {
  /** The newest messages (at most `CHAT_KEEP_MAX`), in time order. */
  entries: ChatEntry[];
  /** Whether older messages were dropped from this page to stay within that bound. */
  olderDropped: boolean;
  /** Messages from others that arrived while the panel was closed. */
  unread: number;
}

export interface ChatClientEvents {
  change: (snapshot: ChatSnapshot) => void;
}

/**
 * The chat of one call: sends through the signaling server with a client-made id, keeps each
 * message "sending" until acknowledged, and resends unacknowledged messages (same id) after
 * every rejoin. No React here.
 */
export class ChatClient extends Emitter<ChatClientEvents> {
  readonly #call: Call;
  readonly #store = new ChatStore();
  readonly #offs: Array<() => void> = [];
  #phase: CallPhase;
  #open = false;
  #unread = 0;
  #retry: ReturnType<typeof setTimeout> | null = null;
  #snapshot: ChatSnapshot | null = null;
  #publishTimer: ReturnType<typeof setTimeout> | null = null;
  #publishAgain = false;
  /** Incoming messages, opened in order (decryption is asynchronous in E2EE rooms). */
  #inbox: Promise<void> = Promise.resolve();

  constructor(call: Call) {
    super();
    this.#call = call;
    this.#phase = call.snapshot.phase;
    const s = call.signaling;
    this.#offs.push(
      s.on('chat', ({ message }) =>
        this.#opened([message], ([m]) => {
          if (this.#store.receive(m!) && !this.#open) this.#unread++;
        }),
      ),
      s.on('chat-history', ({ messages }) =>
        this.#opened(messages, (ms) => {
          for (const m of ms) this.#store.receive(m);
        }),
      ),
      call.on('change', (snap) => {
        const was = this.#phase;
        this.#phase = snap.phase;
        if (snap.phase === 'joined' && was !== 'joined') this.#flush();
      }),
    );
  }

  get snapshot(): ChatSnapshot {
    this.#snapshot ??= { entries: this.#store.list(), olderDropped: this.#store.dropped, unread: this.#unread };
    return this.#snapshot;
  }

  /** Whether the person is looking at the chat (clears the unread count). */
  setOpen(open: boolean): void {
    this.#open = open;
    if (open && this.#unread > 0) {
      this.#unread = 0;
      this.#changed();
    }
  }

  /**
   * Send `text` to everyone, or privately to participant `to`. Returns a sentence saying why it
   * cannot be sent, or null once it is queued (it shows as "sending" until acknowledged).
   */
  send(text: string, to?: string): string | null {
    const problem = chatTextProblem(text);
    if (problem) return problem;
    const self = this.#call.snapshot.self;
    if (!self) return 'Wait until you have joined the call.';
    const message: ChatMessage = {
      id: randomId(),
      from: self.id,
      fromName: self.name,
      text,
      at: Date.now(),
      ...(to ? { to } : {}),
    };
    this.#store.addOwn(message);
    this.#changed();
    if (this.#phase === 'joined') this.#deliver(message);
    return null;
  }

  dispose(): void {
    for (const off of this.#offs) off();
    if (this.#retry) clearTimeout(this.#retry);
    if (this.#publishTimer) clearTimeout(this.#publishTimer);
    this.removeAllListeners();
  }

  /** Hand `messages` to `take` in arrival order, opened first when the call is end-to-end encrypted. */
  #opened(messages: ChatMessage[], take: (messages: ChatMessage[]) => void): void {
    const cipher = this.#call.chatCipher;
    if (!cipher) {
      take(messages);
      this.#changed();
      return;
    }
    const room = this.#call.room;
    const opening = Promise.all(
      messages.map(async (m) => ({ ...m, text: (await cipher.open(m.text, { ...m, room })) ?? UNREADABLE_TEXT })),
    );
    this.#inbox = this.#inbox
      .then(() => opening)
      .then((ms) => {
        take(ms);
        this.#changed();
      })
      .catch(() => undefined);
  }

  /** Resend everything not yet acknowledged (the server drops what it already has). */
  #flush(): void {
    for (const e of this.#store.pending()) this.#deliver(e.message);
  }

  #deliver(message: ChatMessage): void {
    const cipher = this.#call.chatCipher;
    const text = cipher
      ? cipher.seal(message.text, { room: this.#call.room, from: message.from, id: message.id, to: message.to })
      : Promise.resolve(message.text);
    text
      .then((sent) =>
        this.#call.signaling.sendChat({ id: message.id, text: sent, ...(message.to ? { to: message.to } : {}) }),
      )
      .then((reply) => {
        // The server's copy of an E2EE message is sealed: keep the text we wrote.
        if (reply.ok) this.#store.acknowledged({ ...reply.message, text: message.text });
        else if (reply.error === 'not-joined') return this.#retryLater();
        else this.#store.failed(chatKey(message), sentence(reply.error, reply.message));
        this.#changed();
      })
      .catch(() => this.#retryLater());
  }

  /** Offline or timed out: a rejoin flushes; if still joined, try again shortly. */
  #retryLater(): void {
    if (this.#retry) return;
    this.#retry = setTimeout(() => {
      this.#retry = null;
      if (this.#phase === 'joined' && this.#call.signaling.connected) this.#flush();
    }, CHAT_RETRY_MS);
  }

  /** The snapshot is stale: readers get a fresh one at once, listeners hear at most once per interval. */
  #changed(): void {
    this.#snapshot = null;
    if (this.#publishTimer) {
      this.#publishAgain = true;
      return;
    }
    this.emit('change', this.snapshot);
    this.#publishTimer = setTimeout(() => {
      this.#publishTimer = null;
      if (!this.#publishAgain) return;
      this.#publishAgain = false;
      this.#changed();
    }, CHAT_PUBLISH_MS);
  }
}

function sentence(error: ErrorId, fallback: string): string {
  if (error === 'unknown-participant') return 'That person has left the call.';
  return errorMessages[error] ?? fallback;
}
