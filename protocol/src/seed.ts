/**
 * The seed protocol, spoken on Socket.IO's default namespace `/` exactly as the original
 * Flask-SocketIO server spoke it, so that its clients work unchanged:
 * - client `join {username, room}`: the socket enters `room`; the others get `ready {username}`.
 * - client `data {username, room, data}`: everyone else in `room` gets `data` (the inner object).
 * On an invitation-only server `join` also carries `token` (an invitation for `room`).
 */
import { z } from 'zod/mini';
import { CANDIDATE_MAX, SDP_MAX } from './limits';

/** Longest seed room name, in characters. */
export const SEED_ROOM_MAX = 256;
/** Longest seed username, in characters. */
export const SEED_USERNAME_MAX = 160;
/**
 * Most characters of JSON in the fields a client adds of its own: beside `username`, `room` and
 * `token` in `join`, beside `username`, `room` and `data` in `data`, and beside `type` and `sdp`
 * or `candidate` in the relayed `data` object (which the relay forwards within this bound).
 */
export const SEED_EXTRA_MAX = 4_096;

/** JSON length of `v`'s fields other than those named. */
function extraSize(v: Record<string, unknown>, except: readonly string[]): number {
  let n = 0;
  for (const [k, x] of Object.entries(v)) if (!except.includes(k)) n += k.length + JSON.stringify(x ?? null).length + 4;
  return n;
}

const seedUsername = z.string().check(z.maxLength(SEED_USERNAME_MAX));
const seedRoom = z.string().check(z.minLength(1), z.maxLength(SEED_ROOM_MAX));
/** A check that the fields other than `except` stay small. */
const extraFieldsSmall = (except: readonly string[]) =>
  z.refine<Record<string, unknown>>((v) => extraSize(v, except) <= SEED_EXTRA_MAX, 'extra fields too large');

export const seedJoinSchema = z
  .looseObject({
    username: seedUsername,
    room: seedRoom,
    /** An invitation token for `room`; required when the server is invitation-only. */
    token: z.optional(z.string().check(z.maxLength(4_096))),
  })
  .check(extraFieldsSmall(['username', 'room', 'token']));
export type SeedJoin = z.infer<typeof seedJoinSchema>;

/** The relayed payload: an offer/answer or a candidate, as the seed client sends them. */
export const seedPayloadSchema = z.union([
  z
    .looseObject({ type: z.enum(['offer', 'answer']), sdp: z.string().check(z.maxLength(SDP_MAX)) })
    .check(extraFieldsSmall(['type', 'sdp'])),
  z.looseObject({ type: z.literal('candidate'), candidate: z.unknown() }).check(
    z.refine(
      (v: { candidate?: unknown }) => JSON.stringify(v.candidate ?? null).length <= CANDIDATE_MAX + 256,
      'candidate too large',
    ),
    extraFieldsSmall(['type', 'candidate']),
  ),
]);

export const seedDataSchema = z
  .looseObject({
    username: seedUsername,
    room: seedRoom,
    data: seedPayloadSchema,
  })
  .check(extraFieldsSmall(['username', 'room', 'data']));
export type SeedData = z.infer<typeof seedDataSchema>;
