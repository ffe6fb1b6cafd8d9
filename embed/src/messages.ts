/**
 * The messages between an embedding page and the Parley call in its frame, carried by
 * `postMessage`. Each side sends only to the other's origin and reads only messages from it
 * (the frame's window and the server's origin; the parent window and the origin that
 * FRAME_ANCESTORS allows). The web app's bridge (web/src/embed/) speaks the other side.
 */

/** Marks a message from the call (`parley`) or to it (`parley-host`), among others a page may receive. */
export const FROM_CALL = 'parley';
export const TO_CALL = 'parley-host';

/** A participant as the embedding page sees it. */
export interface EmbedParticipant {
  id: string;
  name: string;
}

/** A chat message someone sent in the call (public messages and private ones to you). */
export interface EmbedChatMessage {
  from: EmbedParticipant;
  text: string;
  /** Server time, milliseconds since the epoch. */
  at: number;
  /** True when it was sent to you alone. */
  private: boolean;
}

/** What the call tells the embedding page. */
export type CallEventMessage =
  /** The call page loaded in the frame and accepts commands. */
  | { source: typeof FROM_CALL; type: 'ready' }
  /** You are in the room (once per call, not again after a reconnection). */
  | { source: typeof FROM_CALL; type: 'join'; room: string; self: EmbedParticipant }
  /** You left the room: by choice (`left`), removed by the host (`removed`) or failed (`failed`). */
  | { source: typeof FROM_CALL; type: 'leave'; room: string; reason: 'left' | 'removed' | 'failed' }
  | { source: typeof FROM_CALL; type: 'chat'; room: string; message: EmbedChatMessage }
  /** Your microphone was turned on or off (by you, a command or the host). */
  | { source: typeof FROM_CALL; type: 'audio'; muted: boolean };

/** What the embedding page asks of the call. */
export type CallCommandMessage = { source: typeof TO_CALL; command: 'mute' | 'unmute' | 'leave' };

/** Is `data` a message from the call? (Shape only: check the origin and source window first.) */
export function isCallEvent(data: unknown): data is CallEventMessage {
  return (
    typeof data === 'object' &&
    data !== null &&
    (data as { source?: unknown }).source === FROM_CALL &&
    typeof (data as { type?: unknown }).type === 'string'
  );
}

/** Is `data` a command to the call? (Shape only: check the origin and source window first.) */
export function isCallCommand(data: unknown): data is CallCommandMessage {
  if (typeof data !== 'object' || data === null) return false;
  const { source, command } = data as { source?: unknown; command?: unknown };
  return source === TO_CALL && (command === 'mute' || command === 'unmute' || command === 'leave');
}
