import { useEffect, useRef, useState } from 'react';
import { useEmitterValue } from '../hooks/useEmitterValue';
import { focusOf } from './focus';
import type { MeetingClient, MeetingEvents, MeetingSnapshot } from './MeetingClient';

const empty: MeetingSnapshot = { hands: [], spotlight: null, pinned: null, reactions: [], error: null };

/** The meeting client's snapshot, re-rendering on each change. */
export function useMeeting(meeting: MeetingClient | null): MeetingSnapshot {
  return useEmitterValue(meeting, (m) => m.snapshot, empty);
}

/**
 * Call `listener` whenever someone else raises their hand (not for hands already up when you
 * joined). For notices: `useHandRaised(meeting, ({ id, position }) => ...)`.
 */
export function useHandRaised(meeting: MeetingClient | null, listener: MeetingEvents['hand-raised']): void {
  const latest = useRef(listener);
  useEffect(() => {
    latest.current = listener;
  });
  useEffect(() => meeting?.on('hand-raised', (e) => latest.current(e)), [meeting]);
}

/** "1st", "2nd", "3rd", "4th", ... for places in the hand queue. */
export function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${{ 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] ?? 'th'}`;
}

/**
 * Who the layout features: your own pin, else the host's spotlight unless you set it aside (until
 * the host spotlights someone else), and only someone in the call. `clear` sets the focus aside
 * (the layout button going back to the grid).
 */
export function useMeetingFocus(
  meeting: MeetingClient | null,
  present: (id: string) => boolean,
): { focus: string | null; clear: () => void } {
  const snap = useMeeting(meeting);
  const [setAside, setSetAside] = useState<string | null>(null);
  const { focus, by } = focusOf({ pinned: snap.pinned, spotlight: snap.spotlight, setAside, present });
  return {
    focus,
    clear: () => {
      if (by === 'pin') meeting?.pin(null);
      else if (by === 'spotlight') setSetAside(focus);
    },
  };
}
