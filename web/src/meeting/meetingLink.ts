import type { Call } from '../media/Call';
import type { MeetingLink } from './MeetingClient';

/** The meeting client's view of a call: its signaling, its phase and your id. */
export function meetingLink(call: Call): MeetingLink {
  const s = call.signaling;
  return {
    onState: (listener) => s.on('meeting-state', listener),
    onReaction: (listener) => s.on('reaction', listener),
    onJoined: (listener) => {
      let joined = call.snapshot.phase === 'joined';
      return call.on('change', (snap) => {
        const now = snap.phase === 'joined';
        if (now !== joined) listener(now);
        joined = now;
      });
    },
    request: (event, payload) => s.meeting(event, payload),
    selfId: () => call.snapshot.self?.id ?? null,
  };
}
