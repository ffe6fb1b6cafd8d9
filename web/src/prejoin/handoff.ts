import type { Call } from '../media/Call';
import type { LocalMedia } from '../media/localMedia';

/** What the pre-join screen hands to the call: the open camera/mic and the person's choices. */
export interface JoinChoice {
  name: string;
  room: string;
  media: LocalMedia;
  startMuted: boolean;
  startCameraOff: boolean;
  /** The chosen speaker ('' = system default). */
  speakerId: string;
}

/** A choice whose call is already joining: started at the click, while the screen changes. */
export type StartedChoice = JoinChoice & { call: Call };

let pending: StartedChoice | null = null;

/** Keep a choice across the navigation from an invite link to the call address. */
export function handOff(choice: StartedChoice): void {
  if (pending && pending.media.stream !== choice.media.stream) {
    for (const t of pending.media.stream.getTracks()) t.stop();
  }
  if (pending && pending.call !== choice.call) void pending.call.leave();
  pending = choice;
}

/** Take the pending choice if it is for this room and name (once). */
export function takeHandOff(room: string, name: string): StartedChoice | null {
  const c = pending;
  if (!c || c.room !== room || c.name !== name) return null;
  pending = null;
  return c;
}
