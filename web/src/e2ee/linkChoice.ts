import { roomKeyFromFragment, RoomKeyError, withRoomKey } from './roomKey';

/**
 * What a call page's address says about end-to-end encryption: a room key in its fragment
 * (`#key=...`), a room that asks for a passphrase (`#e2ee=passphrase`), a damaged key, or
 * nothing (the person may still choose a passphrase on the pre-join screen).
 */
export type LinkE2ee =
  | { mode: 'off' }
  | { mode: 'link'; key: Uint8Array<ArrayBuffer> }
  | { mode: 'passphrase' }
  | { mode: 'broken'; problem: string };

export function linkE2ee(hash: string): LinkE2ee {
  try {
    const key = roomKeyFromFragment(hash);
    if (key) return { mode: 'link', key };
  } catch (err) {
    return { mode: 'broken', problem: err instanceof RoomKeyError ? err.message : String(err) };
  }
  return new URLSearchParams(hash.replace(/^#/, '')).get('e2ee') === 'passphrase'
    ? { mode: 'passphrase' }
    : { mode: 'off' };
}

/**
 * The invitation link of a room: the room key in its fragment (browsers never send a fragment
 * to the server), or a mark that asks for the passphrase; nothing for a plain room.
 */
export function invitationLink(
  origin: string,
  room: string,
  e2ee: { source: 'link'; key: Uint8Array } | { source: 'passphrase' } | null,
): string {
  const url = `${origin}/r/${encodeURIComponent(room)}`;
  if (!e2ee) return url;
  return e2ee.source === 'link' ? withRoomKey(url, e2ee.key) : `${url}#e2ee=passphrase`;
}
