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
  /** End-to-end encryption: the room key and where it came from (absent: not encrypted). */
  e2ee?: { key: Uint8Array<ArrayBuffer>; source: 'link' | 'passphrase' };
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

/**
 * The pending choice if it is for this room and name. Reading it does not take it: the call
 * screen arrives in a transition, which React may render more than once (an update on the page
 * meanwhile restarts it), and each render must find the choice. `settleHandOff` forgets it once
 * the call screen is on screen.
 */
export function takeHandOff(room: string, name: string): StartedChoice | null {
  const c = pending;
  if (!c || c.room !== room || c.name !== name) return null;
  return c;
}

/** The call screen of `choice` is on screen: it is no longer pending. */
export function settleHandOff(choice: StartedChoice): void {
  if (pending === choice) pending = null;
}
