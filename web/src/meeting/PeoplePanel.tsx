import type { Participant } from '@parley/protocol';
import { useState } from 'react';
import { QualityBadge } from '../callscreen/CallScreenExtras';
import { HostPersonActions, HostRoomControls, LobbyList } from '../host/HostControls';
import { useHostAction } from '../host/useHostAction';
import { VerifyCode } from '../e2ee/VerifyCode';
import type { Call, CallSnapshot } from '../media/Call';
import type { Quality } from '../quality/linkQuality';
import type { MeetingClient } from './MeetingClient';
import { ordinal, useMeeting } from './useMeeting';

/**
 * Everyone in the call, you first: name, host badge, microphone and camera, raised hand with its
 * place, connection quality, Pin; for the host, the room-wide controls in the header and each
 * person's actions (lower hand, spotlight, ask to mute, make host, remove) on their row.
 */
export function PeoplePanel({
  call,
  snapshot,
  meeting,
  quality,
}: {
  call: Call | null;
  snapshot: CallSnapshot;
  meeting: MeetingClient;
  quality: (id: string) => Quality;
}) {
  const snap = useMeeting(meeting);
  const { run, error, busy } = useHostAction(call);
  const [banAddress, setBanAddress] = useState(false);
  const { self, remotes, roomState, media } = snapshot;
  const hostId = roomState?.hostId ?? null;
  // Codes compare direct connections: an E2EE room's mesh (through the forwarding unit, DTLS ends there).
  const verifiable = snapshot.e2ee !== null && snapshot.topology === 'mesh';
  const linkState = new Map(remotes.map((r) => [r.participant.id, r.state]));
  const isHost = self !== null && hostId === self.id && snapshot.phase === 'joined';
  const people: Array<{ p: Participant; you: boolean }> = [
    ...(self ? [{ p: { ...self, media }, you: true }] : []),
    ...remotes.map((r) => ({ p: r.participant, you: false })),
  ];

  return (
    <div className="people-panel">
      <div className="people-head">
        <h2>People ({people.length})</h2>
        {snap.hands.length > 0 && (
          <p className="people-hands">
            {snap.hands.length} hand{snap.hands.length === 1 ? '' : 's'} raised
          </p>
        )}
        {isHost && (
          <HostRoomControls
            snapshot={snapshot}
            run={run}
            busy={busy}
            banAddress={banAddress}
            setBanAddress={setBanAddress}
          />
        )}
        {isHost && roomState && roomState.waiting.length > 0 && (
          <LobbyList waiting={roomState.waiting} run={run} busy={busy} />
        )}
      </div>
      {(error ?? snap.error) && (
        <p className="error" role="alert">
          {error ?? snap.error}
        </p>
      )}
      <ul className="people-list" aria-label="People in the call">
        {people.map(({ p, you }) => {
          const place = snap.hands.indexOf(p.id) + 1;
          const pinned = snap.pinned === p.id;
          const spotlit = snap.spotlight === p.id;
          return (
            <li key={p.id} data-testid="person" data-participant-id={p.id} data-hand={place || undefined}>
              <div className="person-line">
                <span className="person-name">
                  {p.name}
                  {you && ' (you)'}
                </span>
                {p.id === hostId && <span className="host-badge">Host</span>}
                <span
                  className="person-state"
                  role="img"
                  aria-label={p.media.audio ? 'microphone on' : 'microphone off'}
                  title={p.media.audio ? 'Microphone on' : 'Microphone off'}
                  data-testid="person-mic"
                  data-on={p.media.audio}
                >
                  {p.media.audio ? '🎤' : '🔇'}
                </span>
                <span
                  className="person-state"
                  role="img"
                  aria-label={p.media.video ? 'camera on' : 'camera off'}
                  title={p.media.video ? 'Camera on' : 'Camera off'}
                >
                  {p.media.video ? '📷' : '📷̸'}
                </span>
                {place > 0 && (
                  <span
                    className="person-hand"
                    role="img"
                    aria-label={`Hand raised, ${ordinal(place)} in line`}
                    data-testid="person-hand"
                  >
                    ✋<span aria-hidden="true">{place}</span>
                  </span>
                )}
                {spotlit && (
                  <span className="person-state" role="img" aria-label="Spotlighted" title="Spotlighted">
                    ★
                  </span>
                )}
                {!you && <QualityBadge quality={quality(p.id)} />}
              </div>
              <div className="person-actions">
                <button type="button" aria-pressed={pinned} onClick={() => meeting.togglePin(p.id)}>
                  {pinned ? `Unpin ${p.name}` : `Pin ${p.name}`}
                </button>
                {isHost && place > 0 && !you && (
                  <button type="button" onClick={() => void meeting.lowerHand(p.id)}>
                    Lower {p.name}&apos;s hand
                  </button>
                )}
                {isHost && (
                  <button
                    type="button"
                    aria-pressed={spotlit}
                    onClick={() => void meeting.spotlight(spotlit ? null : p.id)}
                  >
                    {spotlit ? `End spotlight on ${p.name}` : `Spotlight ${p.name}`}
                  </button>
                )}
                {isHost && !you && <HostPersonActions p={p} run={run} banAddress={banAddress} />}
              </div>
              {verifiable && !you && call && (
                <VerifyCode call={call} participantId={p.id} name={p.name} linkState={linkState.get(p.id) ?? ''} />
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
