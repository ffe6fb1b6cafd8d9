/**
 * Who your layout features: your own pin wins; else the host's spotlight, unless you set that
 * spotlight aside (it comes back when the host spotlights someone else); only someone in the call.
 */
export function focusOf(input: {
  pinned: string | null;
  spotlight: string | null;
  /** The spotlight you set aside (the layout button back to the grid), or null. */
  setAside: string | null;
  present: (id: string) => boolean;
}): { focus: string | null; by: 'pin' | 'spotlight' | null } {
  const { pinned, spotlight, setAside, present } = input;
  if (pinned !== null && present(pinned)) return { focus: pinned, by: 'pin' };
  if (spotlight !== null && spotlight !== setAside && present(spotlight)) return { focus: spotlight, by: 'spotlight' };
  return { focus: null, by: null };
}
