import type { RecordingState } from '@parley/protocol';

/** "Ada is recording", "You are recording", "Ada and you are recording", "Ada, Bob and Cy are recording". */
export function recordingText(state: RecordingState | null, selfId: string | undefined): string {
  const names = (state?.recorders ?? []).map((r) => (r.id === selfId ? 'you' : r.name));
  if (names.length === 0) return '';
  // "you" last reads naturally.
  names.sort((a, b) => Number(a === 'you') - Number(b === 'you'));
  const who = names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]!}`;
  const subject = who.charAt(0).toUpperCase() + who.slice(1);
  return `${subject} ${names.length === 1 && who !== 'you' ? 'is' : 'are'} recording this call`;
}
