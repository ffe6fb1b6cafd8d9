/**
 * Recording in the browser, announced through the server so that nobody is recorded without
 * knowing: a participant asks to start (`recording-start`), records only once the server said
 * yes, and says when it stops (`recording-stop`); the server tells everyone who records
 * (`recording-state`, also in the join reply). The host may keep recording to themselves
 * (`recording-policy`). See docs/PROTOCOL.md, "Recording".
 */
import { z } from 'zod/mini';
import type { OkReply } from './messages';

/** Starts and stops one participant may ask for per minute; the next is refused with `rate-limited`. */
export const RECORDING_ACTIONS_PER_MINUTE = 10;

/** Recording events: client -> server, each acknowledged with an OkReply. */
export const recordingClientEvents = {
  /** I am about to record the call: announce it. Refused with `recording-host-only` when only the host may. */
  'recording-start': z.strictObject({}),
  /** I stopped recording (idempotent). */
  'recording-stop': z.strictObject({}),
  /** Host only: whether only the host may record (`hostOnly: true` ends the others' recordings). */
  'recording-policy': z.strictObject({ hostOnly: z.boolean() }),
} as const;
export type RecordingClientEventName = keyof typeof recordingClientEvents;

export type RecordingClientEvents = {
  [K in RecordingClientEventName]: (
    req: z.input<(typeof recordingClientEvents)[K]>,
    ack: (reply: OkReply) => void,
  ) => void;
};

/** Someone recording the call now. */
export interface Recorder {
  id: string;
  name: string;
  /** Milliseconds since the epoch when the server accepted the start. */
  since: number;
}

/** Who records the call, and the room's recording setting. */
export interface RecordingState {
  /** Only the host may start a recording. */
  hostOnly: boolean;
  /** Everyone recording now, in the order they started. */
  recorders: Recorder[];
}

export interface RecordingServerEvents {
  /** Who records changed (or the setting did): show the badge while `recorders` is not empty. */
  'recording-state': (msg: RecordingState) => void;
}

/** Error ids of recording (merged into `ErrorId`). Never rename an id. */
export const recordingErrorIds = {
  /** `recording-start` in a room where only the host may record, from someone who is not host. */
  RecordingHostOnly: 'recording-host-only',
} as const;

export const recordingErrorMessages = {
  'recording-host-only': 'Only the host may record this call.',
} as const;
