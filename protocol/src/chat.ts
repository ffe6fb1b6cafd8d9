/**
 * Text chat on Parley's protocol: messages are relayed by the server (so chat works even when a
 * peer-to-peer path is down), each with a client-made id that the server uses to drop resends.
 * See docs/PROTOCOL.md, "Chat".
 */
import { z } from 'zod/mini';
import type { ErrorReply } from './messages';
import { ID_MAX } from './limits';

/** Longest chat message, in characters (code points). */
export const CHAT_TEXT_MAX = 2_000;
/** How many recent messages a room keeps and hands to a participant who joins. */
export const CHAT_HISTORY_MAX = 100;
/** Client message ids: 1-64 characters from `A-Z a-z 0-9 - _`. */
export const CHAT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** A human sentence for why `text` cannot be sent, or null when it can. */
export function chatTextProblem(text: string): string | null {
  if (text.trim().length === 0) return 'Type a message first.';
  const length = [...text].length;
  if (length > CHAT_TEXT_MAX) {
    return `Messages are at most ${CHAT_TEXT_MAX} characters; this one has ${length}.`;
  }
  return null;
}

/**
 * The text of a chat message in an end-to-end encrypted room: this prefix, then base64url (no
 * padding) of `[key epoch, 1 byte][IV, 12][AES-GCM ciphertext and 16-byte tag]`. The server
 * relays and keeps it as it is; only holders of the room key read it (web/src/e2ee/chatCrypto.ts).
 */
export const SEALED_CHAT_PREFIX = 'e2ee1:';
/** Longest sealed text: a message of CHAT_TEXT_MAX code points of up to 4 UTF-8 bytes each. */
export const SEALED_CHAT_MAX = SEALED_CHAT_PREFIX.length + Math.ceil(((CHAT_TEXT_MAX * 4 + 1 + 12 + 16) * 4) / 3);
const SEALED_CHAT_PATTERN = /^e2ee1:[A-Za-z0-9_-]+$/;

/** True for the text of an end-to-end encrypted message (its shape only: nobody but the room can open it). */
export function isSealedChat(text: string): boolean {
  return text.length <= SEALED_CHAT_MAX && SEALED_CHAT_PATTERN.test(text);
}

export const chatSendSchema = z.strictObject({
  /** Made by the sending client; the same id is reused when the message is resent. */
  id: z.string().check(z.regex(CHAT_ID_PATTERN, 'id: 1-64 letters, digits, "-" or "_"')),
  /** Plain text, or a sealed text (isSealedChat) in an end-to-end encrypted room. */
  text: z.string().check(
    z.maxLength(SEALED_CHAT_MAX),
    z.refine((t: string) => chatTextProblem(t) === null || isSealedChat(t), {
      message: `text: 1-${CHAT_TEXT_MAX} characters, not blank`,
    }),
  ),
  /** A private message to one participant of the room; absent = everyone. */
  to: z.optional(z.string().check(z.minLength(1), z.maxLength(ID_MAX))),
});
export type ChatSend = z.infer<typeof chatSendSchema>;

/** A chat message as the server relays and stores it. `(from, id)` identifies it. */
export interface ChatMessage {
  /** The sender's client-made id. */
  id: string;
  /** Sender participant id (stamped by the server). */
  from: string;
  /** Sender display name at the time of sending. */
  fromName: string;
  text: string;
  /** Server time of first receipt, milliseconds since the epoch. */
  at: number;
  /** Present on private messages: the one recipient. */
  to?: string;
}

/** The key that identifies a message across resends. */
export function chatKey(m: { from: string; id: string }): string {
  return `${m.from}/${m.id}`;
}

export type ChatSendReply = { ok: true; message: ChatMessage } | ErrorReply;

export interface ChatServerEvents {
  /** A new message for you (to everyone in the room, or privately to you). */
  chat: (msg: { message: ChatMessage }) => void;
  /** Right after each successful `join`: the room's recent messages you may see, oldest first. */
  'chat-history': (msg: { messages: ChatMessage[] }) => void;
}

export interface ChatClientEvents {
  'chat-send': (req: ChatSend, ack: (reply: ChatSendReply) => void) => void;
}
