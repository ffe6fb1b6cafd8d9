/**
 * Room access and host actions of Parley's protocol: host role, lock, room password, lobby,
 * removal, mute requests, ending the call, and invitation tokens. See docs/PROTOCOL.md.
 */
import { z } from 'zod/mini';
import { ID_MAX, NAME_MAX, ROOM_PATTERN, normalizeName } from './limits';

/** Longest room password, in characters. */
export const PASSWORD_MAX = 128;
/** Longest invitation token (a compact HS256 JWT), in characters. */
export const TOKEN_MAX = 2_048;
/** Most people waiting in one room's lobby; the next one is refused with `lobby-full`. */
export const LOBBY_MAX = 20;

/** A participant's role in its room. The host may lock, remove, mute, end and admit. */
export const ROLES = ['host', 'guest'] as const;
export type Role = (typeof ROLES)[number];

const idSchema = z.string().check(z.minLength(1), z.maxLength(ID_MAX));
const targetSchema = z.strictObject({ id: idSchema });

/** Fields `join` accepts for access control (merged into the join request). */
export const joinAccessFields = {
  /** The room password, when the room has one. */
  password: z.optional(z.string().check(z.minLength(1), z.maxLength(PASSWORD_MAX))),
  /** An invitation token, required when the server has an access secret. */
  token: z.optional(z.string().check(z.minLength(1), z.maxLength(TOKEN_MAX))),
};

/** Host actions and lobby answers: client -> server events, each acknowledged with an OkReply. */
export const accessClientEvents = {
  /** Lock (no new joins) or unlock the room. */
  'room-lock': z.strictObject({ locked: z.boolean() }),
  /** Set (string) or clear (null) the room password. */
  'room-password': z.strictObject({
    password: z.nullable(z.string().check(z.minLength(1), z.maxLength(PASSWORD_MAX))),
  }),
  /** Turn the lobby on (newcomers wait for admission) or off (waiting people are admitted). */
  'room-lobby': z.strictObject({ enabled: z.boolean() }),
  /** End the call for everyone. */
  'room-end': z.strictObject({}),
  /** Hand the host role to another participant. */
  'host-transfer': targetSchema,
  /**
   * Remove a participant; they cannot rejoin during the ban window. The ban holds their browser
   * (client cookie) and participant id; with `banAddress: true` (default false) it also holds
   * their network address, which a fresh browser profile cannot change, but which bans everyone
   * sharing that address (an office or school behind one NAT) from this room too.
   */
  'participant-remove': z.strictObject({ id: idSchema, banAddress: z.optional(z.boolean()) }),
  /** Ask one participant (`id`) or everyone else (no `id`) to turn their microphone off. */
  'participant-mute': z.strictObject({ id: z.optional(idSchema) }),
  /** Let a waiting person in. */
  'lobby-admit': targetSchema,
  /** Refuse a waiting person. */
  'lobby-deny': targetSchema,
  /** Refuse everyone waiting in the lobby at once (each is told with `lobby-denied`). */
  'lobby-clear': z.strictObject({}),
} as const;
export type AccessClientEventName = keyof typeof accessClientEvents;

/** Someone waiting in the lobby, as the host sees them. */
export interface LobbyEntry {
  id: string;
  name: string;
  /** Milliseconds since the epoch when they started waiting. */
  since: number;
}

/** The access state of a room as its members see it. */
export interface RoomState {
  /** The host's participant id, or null when nobody in the room may host. */
  hostId: string | null;
  locked: boolean;
  /** True when joining needs the room password. The password itself is never sent. */
  passwordSet: boolean;
  lobby: boolean;
  /** People waiting in the lobby; filled for the host only, empty for everyone else. */
  waiting: LobbyEntry[];
}

/** Why a participant was taken out of the call by the server. */
export type RemovedReason = 'removed' | 'ended';

export interface AccessServerEvents {
  /** The room's access state changed (or was just joined). */
  'room-state': (msg: RoomState) => void;
  /** You were removed by the host, or the host ended the call. You are no longer in the room. */
  removed: (msg: {
    reason: RemovedReason;
    /** Seconds before you may rejoin (removal only). */ banSeconds?: number;
  }) => void;
  /** The host asks you to turn your microphone off. */
  'mute-request': (msg: { by: string }) => void;
  /** You waited in the lobby and the host let you in: send `join` again to enter. */
  'lobby-admitted': (msg: Record<string, never>) => void;
  /** You waited in the lobby and the host refused you. */
  'lobby-denied': (msg: Record<string, never>) => void;
}

/* ---------------------------------------------------------------------------------------------
 * Invitations: HS256 JWT claims
 * ------------------------------------------------------------------------------------------- */

/**
 * Claims of a Parley invitation token. `exp` and `iat` are in seconds since the epoch (RFC 7519).
 * `name` follows the same rules as a typed name (normalised, 1 to NAME_MAX characters): a
 * token is no way around them.
 */
export const invitationClaimsSchema = z.looseObject({
  room: z.string().check(z.regex(ROOM_PATTERN)),
  exp: z.int().check(z.positive()),
  iat: z.optional(z.int().check(z.nonnegative())),
  name: z.optional(
    z.pipe(
      z.string().check(z.maxLength(NAME_MAX * 4)),
      z.transform(normalizeName).check(z.refine((n: string) => n.length > 0 && [...n].length <= NAME_MAX)),
    ),
  ),
  role: z.optional(z.enum(ROLES)),
});
export type InvitationClaims = z.infer<typeof invitationClaimsSchema>;
