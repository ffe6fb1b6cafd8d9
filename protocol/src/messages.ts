/**
 * Parley's own signaling protocol, spoken on the Socket.IO namespace `/parley`.
 * Every message is a Socket.IO event whose single argument is an object; events that expect a
 * reply take a Socket.IO acknowledgement. See docs/PROTOCOL.md.
 */
import { z } from 'zod/mini';
import { accessClientEvents, joinAccessFields, type AccessServerEvents, type RoomState } from './access';
import { chatSendSchema } from './chat';
import { meetingClientEvents, type MeetingState } from './meeting';
import {
  recordingClientEvents,
  type RecordingClientEvents,
  type RecordingServerEvents,
  type RecordingState,
} from './recording';
import {
  sfuClientEvents,
  type SfuAnswerReply,
  type SfuPublish,
  type SfuServerEvents,
  type SfuSubscribe,
  type SfuView,
} from './sfu';
import type { ErrorId } from './errors';
import { CANDIDATE_MAX, ID_MAX, NAME_MAX, ROOM_PATTERN, SDP_MAX, normalizeName } from './limits';

/** Socket.IO namespace of Parley's protocol. */
export const PARLEY_NAMESPACE = '/parley';

/**
 * The version of this protocol, sent in the join reply. Version 1 (no `protocolVersion`, no
 * `topology`, no `tracks` on descriptions) is what clients before it speak. Within a version,
 * additions are optional fields that an older client of the same server ignores; a change that
 * an older client could not ignore raises the version. See docs/PROTOCOL.md.
 */
export const PROTOCOL_VERSION = 3;

export { TOPOLOGIES, TRACK_ROLES, TRACKS_MAX, type Topology, type TrackRole } from './media';
import { TOPOLOGIES, TRACK_ROLES, TRACKS_MAX, type Topology } from './media';

export const participantIdSchema = z.string().check(z.minLength(1), z.maxLength(ID_MAX));
export type ParticipantId = string;

export const roomSchema = z.string().check(z.regex(ROOM_PATTERN, 'room: 1-64 letters, digits, "-" or "_"'));

export const nameSchema = z.pipe(
  z.string().check(z.maxLength(NAME_MAX * 4)),
  z.transform(normalizeName).check(
    z.refine((n: string) => n.length > 0 && [...n].length <= NAME_MAX, {
      message: `name: 1-${NAME_MAX} characters after trimming`,
    }),
  ),
);

const sdpSchema = z.string().check(z.minLength(1), z.maxLength(SDP_MAX));

export const descriptionSchema = z.strictObject({
  type: z.enum(['offer', 'answer']),
  sdp: sdpSchema,
});
export type SessionDescription = z.infer<typeof descriptionSchema>;

export const candidateSchema = z.strictObject({
  candidate: z.string().check(z.maxLength(CANDIDATE_MAX)),
  sdpMid: z.optional(z.nullable(z.string().check(z.maxLength(64)))),
  sdpMLineIndex: z.optional(z.nullable(z.int().check(z.minimum(0), z.maximum(1024)))),
  usernameFragment: z.optional(z.nullable(z.string().check(z.maxLength(256)))),
});
export type IceCandidate = z.infer<typeof candidateSchema>;

/** Longest `body` of an `e2ee` signal (a key-exchange message is about 300 characters). */
export const E2EE_SIGNAL_MAX = 2_048;

/** Largest peer-connection generation a signal may carry. */
export const GEN_MAX = 2 ** 31 - 1;

/**
 * Generation of the sender's peer connection to the target (0 when absent). A side that
 * rebuilds its connection raises it; the other side rebuilds too on seeing a higher one and
 * drops signals of a lower one.
 */
const genSchema = z.optional(z.int().check(z.minimum(0), z.maximum(GEN_MAX)));

/**
 * One track the sender of a description sends: its transceiver's `mid` in that description, the
 * participant whose track it is and its role. Absent in descriptions from version-1 clients.
 */
export const publishedTrackSchema = z.strictObject({
  mid: z.string().check(z.minLength(1), z.maxLength(32)),
  participant: participantIdSchema,
  role: z.enum(TRACK_ROLES),
});
export type PublishedTrack = z.infer<typeof publishedTrackSchema>;

const descriptionSignalSchema = z.strictObject({
  kind: z.literal('description'),
  description: descriptionSchema,
  gen: genSchema,
  tracks: z.optional(z.array(publishedTrackSchema).check(z.maxLength(TRACKS_MAX))),
});
const candidateSignalSchema = z.strictObject({
  kind: z.literal('candidate'),
  candidate: z.nullable(candidateSchema),
  gen: genSchema,
});

/** The media part of a `signal`: an SDP description or an ICE candidate (null = end of candidates). */
export const mediaSignalDataSchema = z.discriminatedUnion('kind', [descriptionSignalSchema, candidateSignalSchema]);
/** What media transports exchange (descriptions and candidates). */
export type SignalData = z.infer<typeof mediaSignalDataSchema>;

/**
 * End-to-end encrypted rooms only: a key-exchange message between two participants' browsers
 * (web/src/e2ee/keyExchange.ts), opaque to the server, which relays it like any other signal.
 */
export const e2eeSignalSchema = z.strictObject({
  kind: z.literal('e2ee'),
  body: z.string().check(z.minLength(1), z.maxLength(E2EE_SIGNAL_MAX)),
});
export type E2eeSignal = z.infer<typeof e2eeSignalSchema>;

/** The payload of a `signal`: media signalling, or an E2EE key-exchange message. */
export const signalDataSchema = z.discriminatedUnion('kind', [
  descriptionSignalSchema,
  candidateSignalSchema,
  e2eeSignalSchema,
]);
export type AnySignalData = z.infer<typeof signalDataSchema>;

export const mediaStateSchema = z.strictObject({
  audio: z.boolean(),
  video: z.boolean(),
});
export type MediaState = z.infer<typeof mediaStateSchema>;

/* ---------------------------------------------------------------------------------------------
 * Client -> server
 * ------------------------------------------------------------------------------------------- */

export const joinRequestSchema = z.strictObject({
  room: roomSchema,
  name: nameSchema,
  media: z.optional(mediaStateSchema),
  /** The topologies this client can take part in (absent: `mesh` only, as before version 3). */
  topologies: z.optional(z.array(z.enum(TOPOLOGIES)).check(z.minLength(1), z.maxLength(TOPOLOGIES.length))),
  /** Rejoining: the topology the client's call is in now (a room made again after a server restart keeps it). */
  topology: z.optional(z.enum(TOPOLOGIES)),
  /** Rejoin as the same participant after a signaling reconnect. */
  resume: z.optional(
    z.strictObject({ participantId: participantIdSchema, token: z.string().check(z.minLength(1), z.maxLength(128)) }),
  ),
  /**
   * The client joins end-to-end encrypted (it holds a room key the server never sees). The first
   * joiner of a room decides; later joiners must match (`e2ee-required`, `e2ee-off`).
   */
  e2ee: z.optional(z.boolean()),
  ...joinAccessFields,
});
export type JoinRequest = z.input<typeof joinRequestSchema>;

export const signalRequestSchema = z.strictObject({
  to: participantIdSchema,
  data: signalDataSchema,
});
export type SignalRequest = z.infer<typeof signalRequestSchema>;

export const leaveRequestSchema = z.strictObject({});
/**
 * Connection check without joining: ICE servers and the client's address. TURN credentials
 * come only within the check rate limit and, on an invitation-only server, for `room` with a
 * valid invitation `token` (the pre-join screen sends both); otherwise the answer is STUN-only.
 */
export const checkRequestSchema = z.strictObject({
  room: z.optional(roomSchema),
  token: joinAccessFields.token,
});
export type CheckRequest = z.input<typeof checkRequestSchema>;
export const mediaStateRequestSchema = mediaStateSchema;

/** Schemas of every client -> server event, by event name. */
export const clientEvents = {
  join: joinRequestSchema,
  signal: signalRequestSchema,
  leave: leaveRequestSchema,
  'media-state': mediaStateRequestSchema,
  ...accessClientEvents,
  check: checkRequestSchema,
  'chat-send': chatSendSchema,
  ...sfuClientEvents,
  ...recordingClientEvents,
  ...meetingClientEvents,
} as const;
export type ClientEventName = keyof typeof clientEvents;
export type ClientEvent = {
  [K in ClientEventName]: { event: K; payload: z.output<(typeof clientEvents)[K]> };
}[ClientEventName];

/* ---------------------------------------------------------------------------------------------
 * Server -> client
 * ------------------------------------------------------------------------------------------- */

export interface Participant {
  id: ParticipantId;
  name: string;
  media: MediaState;
  /** Milliseconds since the epoch when the participant joined the room. */
  joinedAt: number;
}

export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

export interface ErrorReply {
  ok: false;
  error: ErrorId;
  message: string;
}

export interface JoinOk {
  ok: true;
  room: string;
  self: Participant;
  /** Everyone else in the room, oldest first. */
  participants: Participant[];
  iceServers: IceServer[];
  /** Present this with `resume` to rejoin as the same participant after a reconnect. */
  resumeToken: string;
  /** The room's host, lock, password and lobby state. */
  roomState: RoomState;
  /** How the room's media travels (absent from servers before version 2: `mesh`). */
  topology?: Topology;
  /** PROTOCOL_VERSION of the server (absent: 1). */
  protocolVersion?: number;
  /** Who records the call now, and whether only the host may (absent from servers without recording). */
  recording?: RecordingState;
  /** The room's raised hands and spotlight (absent from servers before them: none). */
  meeting?: MeetingState;
  /** The room is end-to-end encrypted (absent from servers before it: not). */
  e2ee?: boolean;
}
export type JoinReply = JoinOk | ErrorReply;

export interface CheckOk {
  ok: true;
  iceServers: IceServer[];
  /** The client's address as the server sees it (behind a trusted proxy: the forwarded one). */
  address: string;
  /** The server has a TURN relay but left it out of `iceServers` for this check, and why. */
  turnWithheld?: { error: ErrorId; message: string };
}
export type CheckReply = CheckOk | ErrorReply;
export type OkReply = { ok: true } | ErrorReply;

export interface ServerEvents extends AccessServerEvents, SfuServerEvents, RecordingServerEvents {
  'participant-joined': (msg: { participant: Participant }) => void;
  'participant-left': (msg: { id: ParticipantId; reason: 'left' | 'disconnected' | 'removed' }) => void;
  'participant-updated': (msg: { participant: Participant }) => void;
  signal: (msg: { from: ParticipantId; data: AnySignalData }) => void;
  /** This connection was superseded by the same participant rejoining elsewhere; it is closed. */
  replaced: (msg: Record<string, never>) => void;
  'protocol-error': (msg: { error: ErrorId; message: string; event?: string }) => void;
  /** The server is stopping: this connection closes soon; reconnect (and rejoin) afterwards. */
  'server-shutdown': (msg: { reconnect: true }) => void;
}

/** Host actions and lobby answers (see access.ts), all acknowledged. */
export type AccessClientEvents = {
  [K in keyof typeof accessClientEvents]: (
    req: z.input<(typeof accessClientEvents)[K]>,
    ack: (reply: OkReply) => void,
  ) => void;
};

export interface ClientEvents extends AccessClientEvents, RecordingClientEvents {
  join: (req: JoinRequest, ack: (reply: JoinReply) => void) => void;
  signal: (req: SignalRequest, ack?: (reply: OkReply) => void) => void;
  leave: (req: Record<string, never>, ack?: (reply: OkReply) => void) => void;
  'media-state': (req: MediaState, ack?: (reply: OkReply) => void) => void;
  check: (req: CheckRequest, ack: (reply: CheckReply) => void) => void;
  'sfu-publish': (req: SfuPublish, ack: (reply: SfuAnswerReply) => void) => void;
  'sfu-subscribe': (req: SfuSubscribe, ack: (reply: SfuAnswerReply) => void) => void;
  'sfu-view': (req: SfuView, ack?: (reply: OkReply) => void) => void;
}

/** Result of validating one inbound event at the boundary. */
export type Parsed = { ok: true; value: ClientEvent } | { ok: false; error: ErrorId; message: string };

/** Validate an inbound event by name. Unknown names and bad payloads are refused. */
export function parseClientEvent(event: string, payload: unknown): Parsed {
  if (!Object.hasOwn(clientEvents, event)) {
    return { ok: false, error: 'unknown-event', message: `unknown event "${event.slice(0, 64)}"` };
  }
  const schema = clientEvents[event as ClientEventName];
  const result = schema.safeParse(payload);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    return { ok: false, error: 'invalid-message', message: `${event}: ${where}${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, value: { event, payload: result.data } as ClientEvent };
}
