/** Field limits shared by the server (enforcement) and the web app (form validation). */

/** Longest display name, in characters, after trimming. */
export const NAME_MAX = 40;
/** Longest room name, in characters. */
export const ROOM_MAX = 64;
/** Room names: letters, digits, `-` and `_`, 1 to ROOM_MAX characters. Case-sensitive. */
export const ROOM_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** Longest SDP accepted in a description, in characters. */
export const SDP_MAX = 100_000;
/** Longest ICE candidate line, in characters. */
export const CANDIDATE_MAX = 1_024;
/** Longest participant id, in characters (ids are server-made; this bounds what clients echo). */
export const ID_MAX = 64;
/** Largest Socket.IO frame the server reads, in bytes (Socket.IO `maxHttpBufferSize`). */
export const FRAME_MAX_BYTES = 256 * 1024;

/** Characters removed from display names: C0/C1 controls, zero-width and bidi overrides. */
// eslint-disable-next-line no-control-regex
const UNSAFE_NAME_CHARS = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/g;

/** Display name as the server stores it: unsafe characters removed, whitespace folded, trimmed. */
export function normalizeName(raw: string): string {
  return raw.replace(/\s+/g, ' ').replace(UNSAFE_NAME_CHARS, '').replace(/ {2,}/g, ' ').trim();
}

/** A human sentence for why `name` is not a valid display name, or null when it is. */
export function nameProblem(raw: string): string | null {
  const name = normalizeName(raw);
  if (name.length === 0) return 'Enter a name.';
  if ([...name].length > NAME_MAX) return `Names are at most ${NAME_MAX} characters.`;
  return null;
}

/** A human sentence for why `room` is not a valid room name, or null when it is. */
export function roomProblem(room: string): string | null {
  if (room.length === 0) return 'Enter a room name.';
  if (room.length > ROOM_MAX) return `Room names are at most ${ROOM_MAX} characters.`;
  if (!ROOM_PATTERN.test(room)) return 'Room names may use letters, digits, "-" and "_" only.';
  return null;
}
