/*
 * Messages between the page and the frame-encryption worker (e2ee.worker.ts). The key travels
 * to the worker once per epoch; frames never come back to the page.
 */

/** Encrypt what a sender sends, or decrypt what a receiver receives. */
export type FrameOp = 'encrypt' | 'decrypt';

/** One sender's or receiver's frame stream, as handed to the worker. */
export interface StreamOptions {
  op: FrameOp;
  kind: 'audio' | 'video';
  /** Which stream: a receiver's id names the participant whose frames it carries. */
  id: string;
  /** The participant whose media a receiver carries ('' for a sender). */
  participant: string;
}

export type ToWorker =
  /** The room key of an epoch (the first one, or a rotation) and this page's participant id. */
  | { type: 'key'; roomKey: Uint8Array<ArrayBuffer>; epoch: number; selfId: string }
  /** A rotated room key: decrypt with it from now on (encrypt only after `use-epoch`). */
  | { type: 'add-key'; roomKey: Uint8Array<ArrayBuffer>; epoch: number }
  /** Encrypt with this epoch's key (one added before) from now on. */
  | { type: 'use-epoch'; epoch: number }
  /** A newcomer: read its frames under the link's key for `ms` (RoomKeyring.admit). */
  | { type: 'admit'; participant: string; ms: number }
  /** Encoded streams from createEncodedStreams (browsers without RTCRtpScriptTransform). */
  | ({ type: 'stream'; readable: ReadableStream; writable: WritableStream } & StreamOptions)
  /** A sender or receiver is gone: forget its counters. */
  | { type: 'forget'; id: string };

/** How a receiver's frames fared since the last report. */
export interface DecryptReport {
  id: string;
  participant: string;
  /** Frames that decrypted. */
  ok: number;
  /** Frames that failed authentication (another key) or named no key this page holds. */
  failed: number;
}

export type FromWorker = { type: 'report'; reports: DecryptReport[] } | { type: 'error'; message: string };
