/*
 * The room key of an end-to-end encrypted room: 32 random bytes that never reach the server.
 * It travels in the invitation link's fragment (`#key=...`: browsers never send the fragment),
 * or is derived from a passphrase typed by each participant.
 */

export const ROOM_KEY_BYTES = 32;
/** PBKDF2-SHA-256 rounds for a passphrase (OWASP's 2023 figure for this hash). */
export const PASSPHRASE_ROUNDS = 600_000;
export const PASSPHRASE_MIN_LENGTH = 8;

export class RoomKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RoomKeyError';
  }
}

export function generateRoomKey(): Uint8Array<ArrayBuffer> {
  return crypto.getRandomValues(new Uint8Array(ROOM_KEY_BYTES));
}

/** Base64url without padding, as it goes into a link. */
export function encodeRoomKey(key: Uint8Array): string {
  if (key.length !== ROOM_KEY_BYTES) throw new RoomKeyError(`a room key is ${ROOM_KEY_BYTES} bytes, not ${key.length}`);
  let bin = '';
  for (const b of key) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function decodeRoomKey(text: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) throw new RoomKeyError('the room key has characters a key link never has');
  let bin: string;
  try {
    bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  } catch {
    throw new RoomKeyError('the room key is not valid base64url');
  }
  if (bin.length !== ROOM_KEY_BYTES) {
    throw new RoomKeyError(
      `the room key is ${bin.length} bytes long; a complete key is ${ROOM_KEY_BYTES} (was the link cut short?)`,
    );
  }
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/** The key in a location fragment (`#key=...`, other `&`-separated fields allowed), or null. */
export function roomKeyFromFragment(hash: string): Uint8Array<ArrayBuffer> | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const value = params.get('key');
  return value === null ? null : decodeRoomKey(value);
}

/** `url` with the key in its fragment (replacing any key already there). */
export function withRoomKey(url: string, key: Uint8Array): string {
  const u = new URL(url);
  const params = new URLSearchParams(u.hash.replace(/^#/, ''));
  params.set('key', encodeRoomKey(key));
  u.hash = params.toString();
  return u.toString();
}

/**
 * A room key from a passphrase: everyone who types the same passphrase for the same room gets
 * the same key. The room name salts it, so one passphrase gives different keys in different rooms.
 */
export async function roomKeyFromPassphrase(passphrase: string, room: string): Promise<Uint8Array<ArrayBuffer>> {
  if (passphrase.length < PASSPHRASE_MIN_LENGTH) {
    throw new RoomKeyError(`a passphrase needs at least ${PASSPHRASE_MIN_LENGTH} characters`);
  }
  const enc = new TextEncoder();
  const base = await crypto.subtle.importKey('raw', enc.encode(passphrase.normalize('NFC')), 'PBKDF2', false, [
    'deriveBits',
  ]);
  const bits = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt: enc.encode(`Parley room key 1\n${room}`), iterations: PASSPHRASE_ROUNDS },
    base,
    ROOM_KEY_BYTES * 8,
  );
  return new Uint8Array(bits);
}
