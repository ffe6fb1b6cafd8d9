/**
 * The signaling server's hot path: a `signal` payload checked in place, without the copy a
 * schema parse builds. It accepts only payloads that `signalRequestSchema` accepts (the tests
 * prove it on generated payloads); whatever it does not accept goes through the schema, which
 * then refuses it with the precise reason or accepts an unusual but valid form.
 */
import { CANDIDATE_MAX, ID_MAX, SDP_MAX } from './limits';
import { GEN_MAX, type SignalRequest } from './messages';

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** True if `o` has no own keys beyond `allowed`. */
function onlyKeys(o: Obj, allowed: readonly string[]): boolean {
  for (const k in o) if (!allowed.includes(k)) return false;
  return true;
}

function isIntIn(v: unknown, min: number, max: number): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

function stringUpTo(v: unknown, max: number): boolean {
  return typeof v === 'string' && v.length <= max;
}

/** Absent, or null, or a string of at most `max` code units. */
function optionalNullableString(v: unknown, max: number): boolean {
  return v === undefined || v === null || stringUpTo(v, max);
}

const SIGNAL_KEYS = ['to', 'data'] as const;
const DESCRIPTION_DATA_KEYS = ['kind', 'description', 'gen'] as const;
const CANDIDATE_DATA_KEYS = ['kind', 'candidate', 'gen'] as const;
const DESCRIPTION_KEYS = ['type', 'sdp'] as const;
const CANDIDATE_KEYS = ['candidate', 'sdpMid', 'sdpMLineIndex', 'usernameFragment'] as const;

export function isPlainSignal(p: unknown): p is SignalRequest {
  if (!isObject(p) || !onlyKeys(p, SIGNAL_KEYS)) return false;
  const { to, data } = p;
  if (typeof to !== 'string' || to.length < 1 || to.length > ID_MAX) return false;
  if (!isObject(data)) return false;
  if (data.gen !== undefined && !isIntIn(data.gen, 0, GEN_MAX)) return false;
  if (data.kind === 'candidate') {
    if (!onlyKeys(data, CANDIDATE_DATA_KEYS)) return false;
    const c = data.candidate;
    if (c === null) return true;
    return (
      isObject(c) &&
      onlyKeys(c, CANDIDATE_KEYS) &&
      stringUpTo(c.candidate, CANDIDATE_MAX) &&
      optionalNullableString(c.sdpMid, 64) &&
      (c.sdpMLineIndex === undefined || c.sdpMLineIndex === null || isIntIn(c.sdpMLineIndex, 0, 1024)) &&
      optionalNullableString(c.usernameFragment, 256)
    );
  }
  if (data.kind === 'description') {
    // A description with its `tracks` (rare next to candidates) goes through the schema.
    if (!onlyKeys(data, DESCRIPTION_DATA_KEYS)) return false;
    const d = data.description;
    return (
      isObject(d) &&
      onlyKeys(d, DESCRIPTION_KEYS) &&
      (d.type === 'offer' || d.type === 'answer') &&
      typeof d.sdp === 'string' &&
      d.sdp.length >= 1 &&
      d.sdp.length <= SDP_MAX
    );
  }
  return false;
}
