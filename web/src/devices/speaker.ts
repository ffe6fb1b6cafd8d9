import { savePreferences } from './preferences';

/** The chosen speaker (audio output) for remote participants' sound, shared by every tile. */

type Listener = () => void;
let current = '';
const listeners = new Set<Listener>();

export function speakerId(): string {
  return current;
}

export function setSpeakerId(id: string): void {
  if (id === current) return;
  current = id;
  for (const l of [...listeners]) l();
}

/** The person chose a speaker: play through it from now on and remember it for the next call. */
export function chooseSpeaker(id: string): void {
  setSpeakerId(id);
  savePreferences({ audiooutput: id });
}

export function onSpeakerChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Route a media element's sound to the chosen speaker, where the browser allows it. */
export async function applySpeaker(el: HTMLMediaElement, id: string): Promise<void> {
  const withSink = el as HTMLMediaElement & { sinkId?: string; setSinkId?: (id: string) => Promise<void> };
  if (!withSink.setSinkId || withSink.sinkId === id) return;
  try {
    await withSink.setSinkId(id);
  } catch {
    // the device went away or is not allowed: the sound stays on the current output
  }
}
