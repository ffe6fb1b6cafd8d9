import { clearPrefixBytes, decryptFrame, encryptFrame, FrameDecryptError, type RoomKeyring } from './frameCrypto';
import type { DecryptReport, StreamOptions } from './messages';

/**
 * The per-frame work of the encryption worker, apart from the worker itself so that it runs in
 * unit tests: encrypt an outgoing encoded frame, or decrypt an incoming one and count how
 * receivers fare (the page turns a receiver whose frames all fail into a "wrong key" notice).
 * A frame that does not decrypt is dropped, never passed on: the decoder would show garbage.
 */

/** What the transform uses of an RTCEncodedVideoFrame / RTCEncodedAudioFrame. */
export interface EncodedFrameLike {
  data: ArrayBuffer;
  /** Video only: 'key', 'delta' or 'empty'. */
  readonly type?: string;
}

export interface FrameKeys {
  keyring: RoomKeyring;
  /** This page's own sender tag (senderTag of its participant id). */
  selfTag: string;
}

/** Counts per receiver, drained by `takeReports`. */
export class DecryptCounters {
  readonly #counts = new Map<string, DecryptReport>();

  note(opts: Pick<StreamOptions, 'id' | 'participant'>, ok: boolean): void {
    let c = this.#counts.get(opts.id);
    if (!c) {
      c = { id: opts.id, participant: opts.participant, ok: 0, failed: 0 };
      this.#counts.set(opts.id, c);
    }
    if (ok) c.ok++;
    else c.failed++;
  }

  forget(id: string): void {
    this.#counts.delete(id);
  }

  /** The counts since the last call (receivers with no frames meanwhile are left out). */
  takeReports(): DecryptReport[] {
    const out = [...this.#counts.values()].filter((c) => c.ok + c.failed > 0).map((c) => ({ ...c }));
    for (const c of this.#counts.values()) c.ok = c.failed = 0;
    return out;
  }
}

/**
 * Transform one frame in place. Returns true when it should be passed on, false when it must be
 * dropped (no key yet, or it does not decrypt).
 */
export async function transformFrame(
  frame: EncodedFrameLike,
  opts: StreamOptions,
  keys: FrameKeys | null,
  counters: DecryptCounters,
): Promise<boolean> {
  if (!keys) return false;
  const data = new Uint8Array(frame.data);
  if (opts.op === 'encrypt') {
    if (data.length === 0) return true; // an empty frame carries nothing to hide
    const epoch = keys.keyring.epoch;
    const key = await keys.keyring.keyFor(keys.selfTag, epoch);
    if (!key) return false;
    const clear = clearPrefixBytes(opts.kind, frame.type === 'key');
    frame.data = (await encryptFrame(key, keys.selfTag, epoch, data, clear)).buffer;
    return true;
  }
  if (data.length === 0) return true;
  try {
    frame.data = (await decryptFrame(data, (tag, epoch) => keys.keyring.keyFor(tag, epoch))).buffer;
    counters.note(opts, true);
    return true;
  } catch (err) {
    if (!(err instanceof FrameDecryptError)) throw err;
    counters.note(opts, false);
    return false;
  }
}

/** A TransformStream that applies `transformFrame` to each frame, in order. */
export function frameTransformStream(
  opts: StreamOptions,
  keys: () => FrameKeys | null,
  counters: DecryptCounters,
): TransformStream<EncodedFrameLike, EncodedFrameLike> {
  return new TransformStream({
    async transform(frame, controller) {
      try {
        if (await transformFrame(frame, opts, keys(), counters)) controller.enqueue(frame);
      } catch {
        // A frame that cannot be handled is dropped; the stream goes on.
      }
    },
  });
}
