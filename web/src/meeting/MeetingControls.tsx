import './meeting.css';
import { Hand, SmilePlus, Users } from 'lucide-react';
import { ToolButton } from '../callscreen/ToolButton';
import { REACTIONS, type Reaction } from '@parley/protocol';
import { useEffect, useId, useRef, useState } from 'react';
import type { MeetingClient } from './MeetingClient';
import { useMeeting } from './useMeeting';

/** Spoken names of the reactions (the buttons' accessible names). */
export const reactionNames: Record<Reaction, string> = {
  '👍': 'thumbs up',
  '👏': 'applause',
  '😂': 'laughter',
  '❤️': 'heart',
  '🎉': 'celebration',
  '😮': 'surprise',
};

/** "Raise hand" / "Lower hand", pressed while your hand is up. */
export function HandButton({ meeting, selfId }: { meeting: MeetingClient; selfId: string | undefined }) {
  const snap = useMeeting(meeting);
  const raised = selfId !== undefined && snap.hands.includes(selfId);
  return (
    <ToolButton
      icon={Hand}
      label={raised ? 'Lower hand' : 'Raise hand'}
      aria-pressed={raised}
      disabled={selfId === undefined}
      onClick={() => void meeting.toggleHand()}
    />
  );
}

/** "Reactions": opens a row of the six reaction buttons above the controls. */
export function ReactionsButton({ meeting, disabled }: { meeting: MeetingClient; disabled: boolean }) {
  const [open, setOpen] = useState(false);
  const id = useId();
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') setOpen(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open]);
  return (
    <>
      <ToolButton
        icon={SmilePlus}
        label="Reactions"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        disabled={disabled}
        onClick={() => setOpen(!open)}
      />
      {open && (
        <div id={id} className="meeting-reaction-bar" role="group" aria-label="Send a reaction">
          {REACTIONS.map((emoji) => (
            <button
              key={emoji}
              type="button"
              aria-label={`React with ${reactionNames[emoji]}`}
              title={reactionNames[emoji]}
              onClick={() => void meeting.react(emoji)}
            >
              {emoji}
            </button>
          ))}
        </div>
      )}
    </>
  );
}

/** "People", with the number of raised hands. */
export function PeopleButton({ meeting, open, toggle }: { meeting: MeetingClient; open: boolean; toggle: () => void }) {
  const hands = useMeeting(meeting).hands.length;
  return (
    <ToolButton
      icon={Users}
      label="People"
      aria-pressed={open}
      aria-controls={open ? 'side-panel' : undefined}
      onClick={toggle}
      badge={
        hands > 0 && (
          <span className="count-badge" aria-label={`${hands} hand${hands === 1 ? '' : 's'} raised`}>
            ✋{hands}
          </span>
        )
      }
    />
  );
}

/**
 * Tells screen readers of reactions ("Ada reacted 👏") and shows the latest refusal of something
 * you asked (too many reactions, not the host).
 */
export function MeetingAnnouncer({
  meeting,
  nameOf,
}: {
  meeting: MeetingClient;
  /** Display name of a participant (yours: "You"). */
  nameOf: (id: string) => string | undefined;
}) {
  const [said, setSaid] = useState('');
  const latestName = useRef(nameOf);
  useEffect(() => {
    latestName.current = nameOf;
  });
  useEffect(
    () =>
      meeting.on('reaction', ({ from, emoji }) => {
        const who = latestName.current(from) ?? 'Someone';
        setSaid(`${who} reacted ${emoji}`);
      }),
    [meeting, latestName],
  );
  const { error } = useMeeting(meeting);
  return (
    <>
      <p className="sr-only" role="status" aria-live="polite" data-testid="reaction-announcement">
        {said}
      </p>
      {error && (
        <p className="meeting-error error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}
