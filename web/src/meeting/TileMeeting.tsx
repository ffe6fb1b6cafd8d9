import type { MeetingClient } from './MeetingClient';
import { ordinal, useMeeting } from './useMeeting';

/**
 * What a tile shows of the meeting: the raised hand with its place in the queue, reactions
 * floating up, and a Pin button (yours alone). Laid over the tile by VideoTile's `overlay`.
 */
export function TileMeeting({ meeting, id, name }: { meeting: MeetingClient; id: string; name: string }) {
  const snap = useMeeting(meeting);
  const place = snap.hands.indexOf(id) + 1;
  const pinned = snap.pinned === id;
  const reactions = snap.reactions.filter((r) => r.from === id);
  return (
    <>
      {place > 0 && (
        <span
          className="meeting-hand"
          role="img"
          aria-label={`Hand raised, ${ordinal(place)} in line`}
          title={`Hand raised, ${ordinal(place)} in line`}
          data-testid="hand-badge"
          data-position={place}
        >
          ✋<span aria-hidden="true">{place}</span>
        </span>
      )}
      {snap.spotlight === id && (
        <span
          className="meeting-spotlit"
          role="img"
          aria-label="Spotlighted by the host"
          title="Spotlighted by the host"
        >
          ★
        </span>
      )}
      {/* Announced by the meeting's live region; here they are only seen. */}
      <span className="meeting-reactions" aria-hidden="true">
        {reactions.map((r) => (
          <span key={r.key} className="meeting-reaction" data-testid="reaction-float" data-emoji={r.emoji}>
            {r.emoji}
          </span>
        ))}
      </span>
      <button
        type="button"
        className="meeting-pin"
        aria-pressed={pinned}
        aria-label={pinned ? `Unpin ${name}` : `Pin ${name}`}
        title={pinned ? `Unpin ${name}` : `Pin ${name} (only for you)`}
        onClick={() => meeting.togglePin(id)}
      >
        📌
      </button>
    </>
  );
}
