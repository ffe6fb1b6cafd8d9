/**
 * Messages of rooms whose media goes through the server's selective forwarding unit (topology
 * `sfu`). Each participant has two peer connections to the server, both offered by the
 * browser: `publish` (send only: microphone, camera in simulcast layers, screen) and
 * `subscribe` (receive only: one transceiver per track it receives). The server is ICE-lite and
 * answers with its own candidate, so no candidates travel. See docs/PROTOCOL.md.
 */
import { z } from 'zod/mini';
import type { ErrorId } from './errors';
import { ID_MAX, SDP_MAX } from './limits';
import { TRACK_ROLES, TRACKS_MAX, type TrackRole } from './media';

type ParticipantId = string;

/** Most tracks one subscribe offer may ask for (50 participants, each with microphone, camera and a screen). */
export const SUBSCRIBE_TRACKS_MAX = 200;
/** Most tile sizes one `sfu-view` may report. */
export const VIEWS_MAX = 200;

const offerSchema = z.strictObject({
  type: z.literal('offer'),
  sdp: z.string().check(z.minLength(1), z.maxLength(SDP_MAX)),
});
const midSchema = z.string().check(z.minLength(1), z.maxLength(32));
/** A published track's id, made by the server (`<participant>:<mid>`). */
const trackIdSchema = z.string().check(z.minLength(1), z.maxLength(ID_MAX + 40));

/** `sfu-publish`: the publish connection's offer and what each of its transceivers carries. */
export const sfuPublishSchema = z.strictObject({
  description: offerSchema,
  tracks: z.array(z.strictObject({ mid: midSchema, role: z.enum(TRACK_ROLES) })).check(z.maxLength(TRACKS_MAX)),
});
export type SfuPublish = z.infer<typeof sfuPublishSchema>;

/** `sfu-subscribe`: the subscribe connection's offer and which published track each transceiver receives. */
export const sfuSubscribeSchema = z.strictObject({
  description: offerSchema,
  tracks: z.array(z.strictObject({ mid: midSchema, track: trackIdSchema })).check(z.maxLength(SUBSCRIBE_TRACKS_MAX)),
});
export type SfuSubscribe = z.infer<typeof sfuSubscribeSchema>;

/**
 * `sfu-view`: how large each received video is shown, in CSS pixels times the device pixel
 * ratio. 0x0 means not shown (a hidden tile, an off-screen page): the server sends no video for
 * it. A track never reported is sent at the middle layer.
 */
export const sfuViewSchema = z.strictObject({
  views: z
    .array(
      z.strictObject({
        track: trackIdSchema,
        width: z.int().check(z.minimum(0), z.maximum(16_384)),
        height: z.int().check(z.minimum(0), z.maximum(16_384)),
      }),
    )
    .check(z.maxLength(VIEWS_MAX)),
});
export type SfuView = z.infer<typeof sfuViewSchema>;

/** The client -> server events of SFU rooms. */
export const sfuClientEvents = {
  'sfu-publish': sfuPublishSchema,
  'sfu-subscribe': sfuSubscribeSchema,
  'sfu-view': sfuViewSchema,
} as const;

/** One track published in the room, as the server tells subscribers about it. */
export interface SfuTrack {
  id: string;
  participant: ParticipantId;
  role: TrackRole;
  kind: 'audio' | 'video';
}

/** The answer to `sfu-publish` and `sfu-subscribe`. */
export type SfuAnswerReply =
  { ok: true; description: { type: 'answer'; sdp: string } } | { ok: false; error: ErrorId; message: string };

export interface SfuServerEvents {
  /** Every track the others publish in the room now (sent whole on each change). */
  'sfu-tracks': (msg: { tracks: SfuTrack[] }) => void;
  /** The room moved from mesh to the forwarding unit: open the SFU transport, then drop the mesh. */
  topology: (msg: { topology: 'sfu' }) => void;
  /** Who speaks now (null: nobody), chosen on the server from audio levels. */
  'active-speaker': (msg: { participant: ParticipantId | null }) => void;
}
