/**
 * File sharing: the messages peers exchange over their `RTCDataChannel`s. The server never sees
 * them (nor any file content). See docs/PROTOCOL.md, "Peer-to-peer file transfer".
 */
import { z } from 'zod/mini';
import { UNSAFE_TEXT_CHARS } from './limits';

/** Label of the one control channel per peer connection (JSON text messages). */
export const FILE_CONTROL_LABEL = 'parley-control';
/** Label prefix of a transfer's data channel: `parley-file:<transfer id>`. */
export const FILE_CHANNEL_PREFIX = 'parley-file:';
/** Largest file offered or accepted by default: 1 GiB. */
export const FILE_MAX_BYTES = 1024 ** 3;
/** Size of one binary chunk (the `max-message-size` Chromium advertises is 262144). */
export const FILE_CHUNK_BYTES = 256 * 1024;
/** Longest file name carried, in characters. */
export const FILE_NAME_MAX = 255;
/** Transfer ids: 1-64 characters from `A-Z a-z 0-9 - _`. */
export const TRANSFER_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

const transferId = z.string().check(z.regex(TRANSFER_ID_PATTERN));
const sha256Hex = z.string().check(z.regex(/^[0-9a-f]{64}$/));

/** Messages on the control channel, both directions. */
export const fileControlSchema = z.discriminatedUnion('type', [
  /** Sender -> receiver: would you take this file? */
  z.strictObject({
    type: z.literal('file-offer'),
    id: transferId,
    name: z.string().check(z.minLength(1), z.maxLength(FILE_NAME_MAX * 4)),
    size: z.int().check(z.minimum(0), z.maximum(Number.MAX_SAFE_INTEGER)),
    mime: z.string().check(z.maxLength(255)),
  }),
  /** Receiver -> sender: yes; the sender then opens `parley-file:<id>`. */
  z.strictObject({ type: z.literal('file-accept'), id: transferId }),
  /**
   * Receiver -> sender: no (`reason: "too-large"` when above the receiver's limit, `"too-many"`
   * when the receiver already has its limit of offers from this sender waiting for an answer).
   */
  z.strictObject({
    type: z.literal('file-decline'),
    id: transferId,
    reason: z.enum(['declined', 'too-large', 'too-many']),
  }),
  /** Either side: stop this transfer now; nothing is kept. */
  z.strictObject({ type: z.literal('file-cancel'), id: transferId }),
  /** Receiver -> sender: every byte arrived and the SHA-256 matched (`ok`), or it did not. */
  z.strictObject({ type: z.literal('file-result'), id: transferId, ok: z.boolean() }),
]);
export type FileControl = z.infer<typeof fileControlSchema>;

/** The last message on a transfer's data channel (text), after all binary chunks. */
export const fileEndSchema = z.strictObject({ type: z.literal('file-end'), sha256: sha256Hex });
export type FileEnd = z.infer<typeof fileEndSchema>;

/** Parse a control message from its JSON text; null when it is not one. */
export function parseFileControl(text: string): FileControl | null {
  if (text.length > 4096) return null;
  try {
    const r = fileControlSchema.safeParse(JSON.parse(text));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

/** Parse the end-of-file message; null when it is not one. */
export function parseFileEnd(text: string): FileEnd | null {
  if (text.length > 256) return null;
  try {
    const r = fileEndSchema.safeParse(JSON.parse(text));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

/** Path separators and the characters names may not carry (see UNSAFE_TEXT_CHARS). */
const UNSAFE_FILE_NAME_CHARS = new RegExp(`[${UNSAFE_TEXT_CHARS}/\\\\]`, 'gu');

/** Display name of a file: path separators, controls and bidi controls replaced, length capped. */
export function safeFileName(raw: string): string {
  const cleaned = raw.replace(UNSAFE_FILE_NAME_CHARS, '_');
  const chars = [...cleaned.trim()];
  const name = chars.length > FILE_NAME_MAX ? chars.slice(0, FILE_NAME_MAX).join('') : chars.join('');
  return name.length > 0 && name !== '.' && name !== '..' ? name : 'file';
}

/** A human sentence for why a file of `size` bytes cannot be sent, or null when it can. */
export function fileSizeProblem(size: number, max = FILE_MAX_BYTES): string | null {
  if (size > max) return `Files are at most ${formatBytes(max)}; this one is ${formatBytes(size)}.`;
  return null;
}

/** `1536` -> `1.5 KB`; binary multiples, short. */
export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}
