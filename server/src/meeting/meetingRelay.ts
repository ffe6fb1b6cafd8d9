import {
  HAND_BURST,
  REACTION_BURST,
  type ClientEvent,
  type ErrorId,
  type MeetingClientEventName,
  type Participant,
} from '@parley/protocol';
import type { Room } from '../Room';

type MeetingEvent = Extract<ClientEvent, { event: MeetingClientEventName }>;

export type MeetingReply = { ok: true } | { ok: false; error: ErrorId; message: string };

/** Tell every member the room's hands and spotlight. */
export function publishMeeting(room: Room): void {
  room.broadcast(
    'meeting-state',
    room.meeting.view((id) => room.has(id)),
  );
}

/**
 * Handle one validated hand, reaction or spotlight event from `self` in `room`. `isHost` says
 * whether `self` holds the host role now (checked here, on the server: clients only ask).
 */
export function relayMeeting(room: Room, self: Participant, isHost: boolean, msg: MeetingEvent): MeetingReply {
  const meeting = room.meeting;
  switch (msg.event) {
    case 'hand-raise': {
      if (!meeting.takeHand(self.id)) return handLimited();
      if (meeting.raise(self.id)) publishMeeting(room);
      return { ok: true };
    }
    case 'hand-lower': {
      const id = msg.payload.id ?? self.id;
      if (id !== self.id) {
        if (!isHost) return { ok: false, error: 'not-host', message: "Only the host can lower someone else's hand." };
        if (!room.has(id))
          return { ok: false, error: 'unknown-participant', message: 'That participant is not in your room.' };
      } else if (!meeting.takeHand(self.id)) return handLimited();
      if (meeting.lower(id)) publishMeeting(room);
      return { ok: true };
    }
    case 'reaction-send': {
      if (!meeting.takeReaction(self.id)) {
        return {
          ok: false,
          error: 'rate-limited',
          message: `Too many reactions: at most ${REACTION_BURST} at once, then one a second. Wait a moment.`,
        };
      }
      room.broadcast('reaction', { from: self.id, emoji: msg.payload.emoji, at: Date.now() }, self.id);
      return { ok: true };
    }
    case 'spotlight': {
      if (!isHost) return { ok: false, error: 'not-host', message: 'Only the host can spotlight someone.' };
      const id = msg.payload.id;
      if (id !== null && !room.has(id)) {
        return { ok: false, error: 'unknown-participant', message: 'That participant is not in your room.' };
      }
      if (meeting.setSpotlight(id)) publishMeeting(room);
      return { ok: true };
    }
  }
}

function handLimited(): MeetingReply {
  return {
    ok: false,
    error: 'rate-limited',
    message: `Your hand went up and down too often (${HAND_BURST} times at once); wait a few seconds.`,
  };
}
