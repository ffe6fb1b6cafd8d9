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

/**
 * Characters that are invisible yet change how the text around them is shown, as the body of a
 * regular-expression character class (for the `u` flag): C0/C1 controls, every bidi control
 * (the marks U+061C, U+200E, U+200F, the embeddings and overrides U+202A-U+202E and the
 * isolates U+2066-U+2069), zero-width characters (U+200B-U+200D), the invisible operators and
 * deprecated format characters (U+2060-U+206F), the byte-order mark and the interlinear
 * annotation characters. Names and file names drop them, so nobody can make text read
 * backwards or hide part of it.
 */
export const UNSAFE_TEXT_CHARS = '\\p{Cc}\\p{Bidi_Control}\\u200b-\\u200f\\u2060-\\u206f\\ufeff\\ufff9-\\ufffb';
const UNSAFE_NAME_CHARS = new RegExp(`[${UNSAFE_TEXT_CHARS}]`, 'gu');

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
