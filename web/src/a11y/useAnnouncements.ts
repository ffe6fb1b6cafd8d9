import { useEffect, useRef, useState } from 'react';

/**
 * A sentence for screen readers when someone joins or leaves, from the list of people present
 * (id -> name). The first list is taken as-is (no announcement for people already there).
 */
export function useJoinLeaveAnnouncement(people: ReadonlyArray<{ id: string; name: string }>): string {
  const [message, setMessage] = useState('');
  const known = useRef<Map<string, string> | null>(null);
  const key = people.map((p) => `${p.id}:${p.name}`).join('|');
  useEffect(() => {
    const now = new Map(people.map((p) => [p.id, p.name]));
    const before = known.current;
    known.current = now;
    if (!before) return;
    const parts: string[] = [];
    for (const [id, name] of now) if (!before.has(id)) parts.push(`${name} joined.`);
    for (const [id, name] of before) if (!now.has(id)) parts.push(`${name} left.`);
    // Announcing is the point of this effect: the live region reads the new sentence.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    if (parts.length > 0) setMessage(parts.join(' '));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return message;
}
