import type { ClientEvent, ErrorId, OkReply, Participant } from '@parley/protocol';
import type { Room } from '../Room';

type RecordingEvent = Extract<ClientEvent, { event: 'recording-start' | 'recording-stop' | 'recording-policy' }>;
type Reply = OkReply | { ok: false; error: ErrorId; message?: string };

/** Tell everyone in the room who records now. */
export function publishRecording(room: Room): void {
  room.broadcast('recording-state', room.recording.state());
}

/**
 * Handle one validated recording event from `self` in `room`. `isHost` says whether `self` holds
 * the host role now. A change is published to everyone (the sender included) before the reply,
 * so the recorder's badge and everyone else's appear together.
 */
export function handleRecording(
  room: Room,
  self: Participant,
  isHost: (id: string) => boolean,
  msg: RecordingEvent,
): Reply {
  const rec = room.recording;
  switch (msg.event) {
    case 'recording-start': {
      if (rec.isRecording(self.id)) return { ok: true };
      if (rec.hostOnly && !isHost(self.id)) return { ok: false, error: 'recording-host-only' };
      if (!rec.allow(self.id))
        return { ok: false, error: 'rate-limited', message: 'Too many recording starts; wait a minute.' };
      rec.start(self.id, self.name);
      publishRecording(room);
      return { ok: true };
    }
    case 'recording-stop': {
      if (!rec.isRecording(self.id)) return { ok: true };
      // Counted too, so start-stop loops are bounded; but a stop is never refused: nobody may be
      // shown as recording after they stopped.
      rec.allow(self.id);
      rec.stop(self.id);
      publishRecording(room);
      return { ok: true };
    }
    case 'recording-policy': {
      if (!isHost(self.id)) return { ok: false, error: 'not-host' };
      if (rec.hostOnly === msg.payload.hostOnly) return { ok: true };
      rec.hostOnly = msg.payload.hostOnly;
      // Host only from now on: the others' recordings end (their browsers stop and save).
      if (rec.hostOnly) rec.stopAllBut(isHost);
      publishRecording(room);
      return { ok: true };
    }
  }
}
