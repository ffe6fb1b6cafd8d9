/**
 * The seed protocol's hot path: a `data` payload checked in place, without the copy and the
 * JSON sizing that `seedDataSchema` does. It accepts only payloads the schema accepts (the tests
 * prove it on generated payloads): the shapes the original client sends, with no fields of the
 * client's own. Anything else goes through the schema, which refuses it with the precise reason
 * or accepts an unusual but valid form.
 */
import { CANDIDATE_MAX, SDP_MAX } from './limits';
import { SEED_ROOM_MAX, SEED_USERNAME_MAX, type SeedData } from './seed';

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function onlyKeys(o: Obj, allowed: readonly string[]): boolean {
  for (const k in o) if (!allowed.includes(k)) return false;
  return Object.getPrototypeOf(o) === Object.prototype;
}

/** Absent, null, or a string of at most `max` code units; its length (0 when absent). */
function optionalLength(v: unknown, max: number): number {
  if (v === undefined || v === null) return 0;
  return typeof v === 'string' && v.length <= max ? v.length : -1;
}

const DATA_KEYS = ['username', 'room', 'data'] as const;
const DESCRIPTION_KEYS = ['type', 'sdp'] as const;
const CANDIDATE_PAYLOAD_KEYS = ['type', 'candidate'] as const;
const CANDIDATE_KEYS = ['candidate', 'sdpMid', 'sdpMLineIndex', 'usernameFragment'] as const;
/**
 * The schema bounds a candidate's JSON at CANDIDATE_MAX + 256 characters. JSON makes a character
 * at most six long (`\u0000`), so strings this short fit whatever they hold, and the JSON need
 * not be built; longer ones go through the schema.
 */
const CANDIDATE_STRINGS_FAST = Math.floor((CANDIDATE_MAX + 256 - 100) / 6);

export function isPlainSeedData(p: unknown): p is SeedData {
  if (!isObject(p) || !onlyKeys(p, DATA_KEYS)) return false;
  const { username, room, data } = p;
  if (typeof username !== 'string' || username.length > SEED_USERNAME_MAX) return false;
  if (typeof room !== 'string' || room.length < 1 || room.length > SEED_ROOM_MAX) return false;
  if (!isObject(data)) return false;
  if (data.type === 'candidate') {
    if (!onlyKeys(data, CANDIDATE_PAYLOAD_KEYS) || !('candidate' in data)) return false;
    const c = data.candidate;
    if (c === null) return true;
    if (!isObject(c) || !onlyKeys(c, CANDIDATE_KEYS) || typeof c.candidate !== 'string') return false;
    const mid = optionalLength(c.sdpMid, 64);
    const ufrag = optionalLength(c.usernameFragment, 256);
    if (mid < 0 || ufrag < 0) return false;
    const index = c.sdpMLineIndex;
    if (index !== undefined && index !== null && !(Number.isInteger(index) && (index as number) >= 0)) return false;
    return c.candidate.length + mid + ufrag <= CANDIDATE_STRINGS_FAST;
  }
  if (data.type === 'offer' || data.type === 'answer') {
    return onlyKeys(data, DESCRIPTION_KEYS) && typeof data.sdp === 'string' && data.sdp.length <= SDP_MAX;
  }
  return false;
}
