/**
 * The seed protocol, spoken on Socket.IO's default namespace `/` exactly as the original
 * Flask-SocketIO server spoke it, so that its clients work unchanged:
 * - client `join {username, room}`: the socket enters `room`; the others get `ready {username}`.
 * - client `data {username, room, data}`: everyone else in `room` gets `data` (the inner object).
 * On an invitation-only server `join` also carries `token` (an invitation for `room`).
 */
import { z } from 'zod';
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

export const seedJoinSchema = z
  .looseObject({
    username: z.string().max(SEED_USERNAME_MAX),
    room: z.string().min(1).max(SEED_ROOM_MAX),
    /** An invitation token for `room`; required when the server is invitation-only. */
    token: z.string().max(4_096).optional(),
  })
  .refine((v) => extraSize(v, ['username', 'room', 'token']) <= SEED_EXTRA_MAX, 'extra fields too large');
export type SeedJoin = z.infer<typeof seedJoinSchema>;

/** The relayed payload: an offer/answer or a candidate, as the seed client sends them. */
export const seedPayloadSchema = z.union([
  z
    .looseObject({ type: z.enum(['offer', 'answer']), sdp: z.string().max(SDP_MAX) })
    .refine((v) => extraSize(v, ['type', 'sdp']) <= SEED_EXTRA_MAX, 'extra fields too large'),
  z
    .looseObject({ type: z.literal('candidate'), candidate: z.unknown() })
    .refine((v) => JSON.stringify(v.candidate ?? null).length <= CANDIDATE_MAX + 256, 'candidate too large')
    .refine((v) => extraSize(v, ['type', 'candidate']) <= SEED_EXTRA_MAX, 'extra fields too large'),
]);

export const seedDataSchema = z
  .looseObject({
    username: z.string().max(SEED_USERNAME_MAX),
    room: z.string().min(1).max(SEED_ROOM_MAX),
    data: seedPayloadSchema,
  })
  .refine((v) => extraSize(v, ['username', 'room', 'data']) <= SEED_EXTRA_MAX, 'extra fields too large');
export type SeedData = z.infer<typeof seedDataSchema>;
