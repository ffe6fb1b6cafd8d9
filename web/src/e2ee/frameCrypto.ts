/*
 * Frame encryption of an end-to-end encrypted room, after SFrame (RFC 9605) where practical.
 *
 * Each encoded frame (one video frame or one audio packet, before RTP packetisation) becomes:
 *
 *   [clear prefix][AES-GCM ciphertext + 16-byte tag][IV, 12][sender, 4][epoch, 1][prefix length, 1]
 *
 * - Keys: every sender has its own key per key epoch, derived with HKDF-SHA-256 from the room
 *   key of that epoch and the sender's tag, the first 4 bytes of SHA-256 of its participant id
 *   (SFrame's KID: a receiver finds the key from the frame alone, whichever connection or
 *   reused receiver brought it). AES-128-GCM with a full 16-byte tag, as SFrame's
 *   AES_128_GCM_SHA256_128 suite.
 * - Where Parley differs from SFrame:
 *   - the header goes at the end (a trailer), and the first bytes of the codec's own frame stay
 *     in clear (VP8: 10 bytes of a keyframe, 3 of a delta frame; Opus: its 1-byte TOC), so the
 *     forwarding unit still tells keyframes from delta frames and picture sizes, as Jitsi does;
 *     those bytes are authenticated (additional data), not hidden;
 *   - the IV is 12 random bytes per frame rather than a counter: a sender that reloads mid-epoch
 *     restarts with the same key, and a counter would then repeat nonces. 2^32 frames per key
 *     (NIST's bound for random IVs) is over a year of 50 frames a second.
 * - The epoch (0-255, wrapping) names the room key in use, so receivers can hold the previous
 *   and next keys during a rotation.
 */

export const TAG_BYTES = 16;
export const IV_BYTES = 12;
export const SENDER_TAG_BYTES = 4;
export const TRAILER_BYTES = IV_BYTES + SENDER_TAG_BYTES + 2;

const enc = new TextEncoder();
const LABEL = enc.encode('Parley E2EE frames 1');

export class FrameDecryptError extends Error {
  constructor(
    readonly reason: 'too-short' | 'unknown-epoch' | 'authentication',
    message: string,
  ) {
    super(message);
    this.name = 'FrameDecryptError';
  }
}

/** Bytes of a frame that stay in clear for the forwarding unit (see above). */
export function clearPrefixBytes(kind: 'audio' | 'video', keyframe: boolean): number {
  if (kind === 'audio') return 1;
  return keyframe ? 10 : 3;
}

/** A participant's sender tag (hex): the first 4 bytes of SHA-256 of its id. */
export async function senderTag(participantId: string): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', enc.encode(`Parley sender ${participantId}`)));
  return hex(hash.subarray(0, SENDER_TAG_BYTES));
}

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/** A sender's key for one epoch, from the room key of that epoch and the sender's tag. */
export async function deriveSenderKey(
  roomKey: Uint8Array<ArrayBuffer>,
  epoch: number,
  tag: string,
): Promise<CryptoKey> {
  if (!Number.isInteger(epoch) || epoch < 0 || epoch > 255) throw new RangeError(`epoch ${epoch}: must be 0-255`);
  if (!/^[0-9a-f]{8}$/.test(tag)) throw new TypeError(`sender tag ${tag}: must be 8 hex digits`);
  const base = await crypto.subtle.importKey('raw', roomKey, 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: LABEL, info: enc.encode(`sender ${epoch} ${tag}`) },
    base,
    { name: 'AES-GCM', length: 128 },
    false,
    ['encrypt', 'decrypt'],
  );
}

function additionalData(prefix: Uint8Array, tag: Uint8Array, epoch: number): Uint8Array<ArrayBuffer> {
  const aad = new Uint8Array(prefix.length + SENDER_TAG_BYTES + 2);
  aad.set(prefix);
  aad.set(tag, prefix.length);
  aad[aad.length - 2] = epoch;
  aad[aad.length - 1] = prefix.length;
  return aad;
}

function tagBytes(tag: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(tag.match(/../g) ?? [], (h) => parseInt(h, 16));
}

/** Encrypt one frame with the key of sender `tag` in `epoch`, leaving `clearBytes` in clear. */
export async function encryptFrame(
  key: CryptoKey,
  tag: string,
  epoch: number,
  frame: Uint8Array,
  clearBytes: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const n = Math.min(clearBytes, frame.length, 255);
  const prefix = frame.subarray(0, n);
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const tagged = tagBytes(tag);
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: additionalData(prefix, tagged, epoch), tagLength: TAG_BYTES * 8 },
      key,
      frame.subarray(n) as Uint8Array<ArrayBuffer>,
    ),
  );
  const out = new Uint8Array(n + sealed.length + TRAILER_BYTES);
  out.set(prefix);
  out.set(sealed, n);
  out.set(iv, n + sealed.length);
  out.set(tagged, n + sealed.length + IV_BYTES);
  out[out.length - 2] = epoch;
  out[out.length - 1] = n;
  return out;
}

/** The sender tag and epoch a received frame names (null when it is too short to be one). */
export function frameHeader(data: Uint8Array): { tag: string; epoch: number } | null {
  if (data.length < TRAILER_BYTES + TAG_BYTES) return null;
  const at = data.length - 2 - SENDER_TAG_BYTES;
  return { tag: hex(data.subarray(at, at + SENDER_TAG_BYTES)), epoch: data[data.length - 2]! };
}

/**
 * Decrypt one frame. `keyFor(tag, epoch)` gives that sender's key of that epoch, or null when
 * this receiver has none (then `unknown-epoch`). A wrong key fails authentication.
 */
export async function decryptFrame(
  data: Uint8Array,
  keyFor: (tag: string, epoch: number) => CryptoKey | null | Promise<CryptoKey | null>,
): Promise<Uint8Array<ArrayBuffer>> {
  if (data.length < TRAILER_BYTES + TAG_BYTES) {
    throw new FrameDecryptError('too-short', `a ${data.length}-byte frame is too short to be encrypted`);
  }
  const epoch = data[data.length - 2]!;
  const n = data[data.length - 1]!;
  const ivAt = data.length - TRAILER_BYTES;
  const tagAt = ivAt + IV_BYTES;
  if (n > ivAt - TAG_BYTES) throw new FrameDecryptError('too-short', 'the clear prefix overruns the frame');
  const tagged = data.slice(tagAt, tagAt + SENDER_TAG_BYTES);
  const key = await keyFor(hex(tagged), epoch);
  if (!key) throw new FrameDecryptError('unknown-epoch', `no key for epoch ${epoch}`);
  const prefix = data.subarray(0, n);
  let plain: ArrayBuffer;
  try {
    plain = await crypto.subtle.decrypt(
      {
        name: 'AES-GCM',
        iv: data.slice(ivAt, ivAt + IV_BYTES),
        additionalData: additionalData(prefix, tagged, epoch),
        tagLength: TAG_BYTES * 8,
      },
      key,
      data.subarray(n, ivAt) as Uint8Array<ArrayBuffer>,
    );
  } catch {
    throw new FrameDecryptError('authentication', 'the frame does not authenticate under this key (wrong room key?)');
  }
  const out = new Uint8Array(n + plain.byteLength);
  out.set(prefix);
  out.set(new Uint8Array(plain), n);
  return out;
}

/**
 * The keys of one room as one participant holds them: its own sender key and everyone else's,
 * per epoch, derived on first use. `epoch` is the one it encrypts with. Besides it, the keyring
 * keeps the epoch used before it (frames sent just before a switch still decrypt) and any newer
 * epoch already received but not yet used (others may switch a moment earlier); older ones go.
 */
export class RoomKeyring {
  #epoch: number;
  #previous: number | null = null;
  readonly #roomKeys = new Map<number, Uint8Array<ArrayBuffer>>();
  readonly #derived = new Map<string, Promise<CryptoKey>>();
  /** The link's key (epoch 0), kept after rotations for newcomers' first frames (`admit`). */
  readonly #linkKey: Uint8Array<ArrayBuffer> | null;
  /** Sender tags whose epoch-0 frames are still read after a rotation, and until when. */
  readonly #admitted = new Map<string, number>();
  readonly #now: () => number;

  constructor(roomKey: Uint8Array<ArrayBuffer>, epoch = 0, now: () => number = () => performance.now()) {
    this.#epoch = epoch;
    this.#roomKeys.set(epoch, roomKey);
    this.#linkKey = epoch === 0 ? roomKey : null;
    this.#now = now;
  }

  /**
   * A newcomer starts sending under the link's key (epoch 0) until it is handed the key in use,
   * one signaling round trip later: read its epoch-0 frames for `ms` (only its own, only the
   * link's key), so its first picture is not dropped after the room has rotated. Whoever could
   * forge those frames holds the link's key and could rejoin anyway (docs/SECURITY.md).
   */
  admit(tag: string, ms: number): void {
    const now = this.#now();
    for (const [t, until] of this.#admitted) if (until <= now) this.#admitted.delete(t);
    this.#admitted.set(tag, now + ms);
  }

  get epoch(): number {
    return this.#epoch;
  }

  /** The epochs whose keys this keyring holds. */
  get epochs(): number[] {
    return [...this.#roomKeys.keys()];
  }

  /** Hold the key of `epoch` for decrypting (replacing another key of the same epoch). */
  add(roomKey: Uint8Array<ArrayBuffer>, epoch: number): void {
    if (!Number.isInteger(epoch) || epoch < 0 || epoch > 255) throw new RangeError(`epoch ${epoch}: must be 0-255`);
    this.#roomKeys.set(epoch, roomKey);
    this.#forgetDerived((e) => e === epoch);
  }

  /** Encrypt with `epoch` (a key already added) from now on; the one used until now stays readable. */
  use(epoch: number): void {
    if (!this.#roomKeys.has(epoch)) throw new RangeError(`no key for epoch ${epoch}`);
    if (epoch === this.#epoch) return;
    this.#previous = this.#epoch;
    this.#epoch = epoch;
    const keep = (e: number): boolean => e === this.#epoch || e === this.#previous || epochAfter(e, this.#epoch);
    for (const e of [...this.#roomKeys.keys()]) if (!keep(e)) this.#roomKeys.delete(e);
    this.#forgetDerived((e) => !keep(e));
  }

  /** Switch to a new room key at once (`add` then `use`); the previous epoch stays readable. */
  rotate(roomKey: Uint8Array<ArrayBuffer>, epoch: number): void {
    this.add(roomKey, epoch);
    this.use(epoch);
  }

  /** The key of sender `tag` in `epoch`, or null for an epoch this keyring does not hold. */
  keyFor(tag: string, epoch: number): Promise<CryptoKey> | null {
    const roomKey = this.#roomKeys.get(epoch) ?? (epoch === 0 ? this.#admittedLinkKey(tag) : undefined);
    if (!roomKey) return null;
    const id = `${epoch} ${tag}`;
    let key = this.#derived.get(id);
    if (!key) {
      key = deriveSenderKey(roomKey, epoch, tag);
      this.#derived.set(id, key);
    }
    return key;
  }

  #admittedLinkKey(tag: string): Uint8Array<ArrayBuffer> | undefined {
    const until = this.#admitted.get(tag);
    if (until === undefined || this.#linkKey === null) return undefined;
    if (until > this.#now()) return this.#linkKey;
    this.#admitted.delete(tag);
    this.#derived.delete(`0 ${tag}`);
    return undefined;
  }

  #forgetDerived(drop: (epoch: number) => boolean): void {
    for (const k of [...this.#derived.keys()]) if (drop(Number(k.slice(0, k.indexOf(' '))))) this.#derived.delete(k);
  }
}

/** `a` comes after `b` in the wrapping epoch order (serial numbers over 0-255, as RFC 1982). */
function epochAfter(a: number, b: number): boolean {
  const d = (a - b + 256) % 256;
  return d >= 1 && d < 128;
}
