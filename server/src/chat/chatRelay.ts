import {
  chatTextProblem,
  errorMessages,
  isSealedChat,
  type ChatMessage,
  type ChatSend,
  type ChatSendReply,
  type Participant,
} from '@parley/protocol';
import type { Room } from '../Room';

/**
 * Handle one validated `chat-send` from `self` in `room`: stamp the sender, record it in the
 * room's log (dropping a resend), relay a fresh message to its audience, and return the reply.
 */
export function relayChat(room: Room, self: Participant, req: ChatSend): ChatSendReply {
  if (req.to !== undefined && (req.to === self.id || !room.has(req.to))) {
    return { ok: false, error: 'unknown-participant', message: 'That participant is not in your room.' };
  }
  // An end-to-end encrypted room carries sealed texts only (the server cannot read them, only
  // check their shape); any other room carries plain text only.
  if (room.e2ee && !isSealedChat(req.text)) {
    return { ok: false, error: 'e2ee-required', message: errorMessages['e2ee-required'] };
  }
  if (!room.e2ee && chatTextProblem(req.text) !== null) {
    return { ok: false, error: 'invalid-message', message: errorMessages['invalid-message'] };
  }
  const candidate: ChatMessage = {
    id: req.id,
    from: self.id,
    fromName: self.name,
    text: req.text,
    at: Date.now(),
    ...(req.to !== undefined ? { to: req.to } : {}),
  };
  const { message, fresh } = room.chat.add(candidate);
  if (fresh) {
    if (message.to !== undefined) room.get(message.to)?.send('chat', { message });
    else room.broadcast('chat', { message }, self.id);
  }
  return { ok: true, message };
}
