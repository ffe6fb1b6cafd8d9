/**
 * The seed protocol, spoken on Socket.IO's default namespace `/` exactly as the original
 * Flask-SocketIO server spoke it, so that its clients work unchanged:
 * - client `join {username, room}`: the socket enters `room`; the others get `ready {username}`.
 * - client `data {username, room, data}`: everyone else in `room` gets `data` (the inner object).
 */
import { z } from 'zod';
import { CANDIDATE_MAX, SDP_MAX } from './limits';

export const seedJoinSchema = z.looseObject({
  username: z.string().max(160),
  room: z.string().min(1).max(256),
});
export type SeedJoin = z.infer<typeof seedJoinSchema>;

/** The relayed payload: an offer/answer or a candidate, as the seed client sends them. */
export const seedPayloadSchema = z.union([
  z.looseObject({ type: z.enum(['offer', 'answer']), sdp: z.string().max(SDP_MAX) }),
  z
    .looseObject({ type: z.literal('candidate'), candidate: z.unknown() })
    .refine((v) => JSON.stringify(v.candidate ?? null).length <= CANDIDATE_MAX + 256, 'candidate too large'),
]);

export const seedDataSchema = z.looseObject({
  username: z.string().max(160),
  room: z.string().min(1).max(256),
  data: seedPayloadSchema,
});
export type SeedData = z.infer<typeof seedDataSchema>;
