import { Emitter } from '../emitter';
import type { DecryptReport, FromWorker, StreamOptions, ToWorker } from './messages';

/**
 * The page's side of frame encryption: one worker (e2ee.worker.ts) per call, and a transform on
 * every RTCRtpSender and RTCRtpReceiver of the call's connections. Where the browser has
 * RTCRtpScriptTransform (Firefox, Safari, recent Chromium) the transform is set on the sender or
 * receiver; otherwise Chromium's createEncodedStreams hands the frame streams to the worker,
 * which needs `encodedInsertableStreams: true` in the connection's configuration (see
 * `peerConfig`). Each sender and receiver is attached once.
 */

/** What transports use of frame encryption (TransportContext.frameCrypto). */
export interface FrameCryptoHook {
  /** Configuration every peer connection that carries media must be made with. */
  peerConfig(): Partial<RTCConfiguration>;
  /** Encrypt what this sender sends (call right after the transceiver is made). */
  sender(sender: RTCRtpSender, kind: 'audio' | 'video'): void;
  /** Decrypt what this receiver receives, from `participant` (call right after the transceiver is made, or in `track`). */
  receiver(receiver: RTCRtpReceiver, kind: 'audio' | 'video', participant: string): void;
}

export interface FrameCryptorEvents {
  /** Decrypt counts changed; read `failing()` for the participants whose frames do not decrypt. */
  report: () => void;
}

/** A receiver whose frames all failed for this long shows the wrong-key notice. */
export const WRONG_KEY_AFTER_MS = 1_500;

type ScriptTransformCtor = new (worker: Worker, options: StreamOptions) => unknown;
type WithTransform = { transform: unknown };
type WithEncodedStreams = { createEncodedStreams(): { readable: ReadableStream; writable: WritableStream } };

/** True where the browser has RTCRtpScriptTransform (no special connection configuration needed). */
export function hasScriptTransform(): boolean {
  return typeof (globalThis as { RTCRtpScriptTransform?: unknown }).RTCRtpScriptTransform === 'function';
}

/** True where frames can be encrypted at all (script transform or encoded streams). */
export function canEncryptFrames(): boolean {
  if (hasScriptTransform()) return true;
  const sender = (globalThis as { RTCRtpSender?: { prototype: object } }).RTCRtpSender;
  return sender !== undefined && 'createEncodedStreams' in sender.prototype;
}

let nextId = 0;

export class FrameCryptor extends Emitter<FrameCryptorEvents> implements FrameCryptoHook {
  readonly #worker: Worker;
  readonly #attached = new WeakSet<object>();
  readonly #script = hasScriptTransform();
  /** Per receiver: its participant, and when its frames last decrypted / started failing. */
  readonly #receivers = new Map<string, { participant: string; lastOk: number; failingSince: number | null }>();
  readonly #roomKey: Uint8Array<ArrayBuffer>;
  readonly #epoch = 0;
  /** Participants some of whose frames did not decrypt (marked once each). */
  readonly #undecryptable = new Set<string>();
  #closed = false;

  constructor(roomKey: Uint8Array<ArrayBuffer>, worker?: Worker) {
    super();
    this.#roomKey = roomKey;
    this.#worker = worker ?? new Worker(new URL('./e2ee.worker.ts', import.meta.url), { type: 'module' });
    this.#worker.onmessage = (e: MessageEvent<FromWorker>) => {
      if (e.data.type === 'report') this.#onReports(e.data.reports);
      else console.warn('[parley] e2ee worker:', e.data.message);
    };
  }

  /** Our participant id (known at the join): frames we send carry its tag and use its key. */
  setSelf(participantId: string): void {
    this.#post({ type: 'key', roomKey: this.#roomKey, epoch: this.#epoch, selfId: participantId });
  }

  /** A rotated room key (KeyRotation): decrypt with it at once, encrypt with it after `useEpoch`. */
  addKey(roomKey: Uint8Array<ArrayBuffer>, epoch: number): void {
    this.#post({ type: 'add-key', roomKey, epoch });
  }

  /** Encrypt with the key of `epoch` (added before) from now on. */
  useEpoch(epoch: number): void {
    this.#post({ type: 'use-epoch', epoch });
  }

  /** `participant` just joined a rotated room: read its frames under the link's key for `ms`. */
  admit(participant: string, ms: number): void {
    this.#post({ type: 'admit', participant, ms });
  }

  peerConfig(): Partial<RTCConfiguration> {
    // Chromium's createEncodedStreams works only on connections made with this flag.
    return this.#script ? {} : ({ encodedInsertableStreams: true } as Partial<RTCConfiguration>);
  }

  sender(sender: RTCRtpSender, kind: 'audio' | 'video'): void {
    this.#attach(sender, { op: 'encrypt', kind, id: `s${++nextId}`, participant: '' });
  }

  receiver(receiver: RTCRtpReceiver, kind: 'audio' | 'video', participant: string): void {
    const id = `r${++nextId}`;
    if (this.#attach(receiver, { op: 'decrypt', kind, id, participant })) {
      this.#receivers.set(id, { participant, lastOk: 0, failingSince: null });
    }
  }

  /**
   * Participants whose frames have all failed to decrypt for WRONG_KEY_AFTER_MS: they (or we)
   * hold another room key.
   */
  failing(now = performance.now()): string[] {
    const out = new Set<string>();
    for (const r of this.#receivers.values()) {
      if (r.failingSince !== null && now - r.failingSince >= WRONG_KEY_AFTER_MS && now - r.lastOk > 2_000) {
        out.add(r.participant);
      }
    }
    return [...out];
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#worker.terminate();
    this.#receivers.clear();
    this.removeAllListeners();
  }

  #attach(target: RTCRtpSender | RTCRtpReceiver, opts: StreamOptions): boolean {
    if (this.#closed || this.#attached.has(target)) return false;
    this.#attached.add(target);
    try {
      if (this.#script) {
        const Transform = (globalThis as unknown as { RTCRtpScriptTransform: ScriptTransformCtor })
          .RTCRtpScriptTransform;
        (target as unknown as WithTransform).transform = new Transform(this.#worker, opts);
      } else {
        const { readable, writable } = (target as unknown as WithEncodedStreams).createEncodedStreams();
        this.#post({ type: 'stream', readable, writable, ...opts }, [readable, writable]);
      }
      return true;
    } catch (err) {
      console.warn('[parley] could not attach frame encryption', err);
      // Never send in clear what should have been encrypted.
      if (opts.op === 'encrypt') void (target as RTCRtpSender).replaceTrack(null).catch(() => undefined);
      return false;
    }
  }

  #onReports(reports: DecryptReport[]): void {
    const now = performance.now();
    for (const rep of reports) {
      const r = this.#receivers.get(rep.id);
      if (!r) continue;
      if (rep.ok > 0) {
        r.lastOk = now;
        r.failingSince = null;
      } else if (rep.failed > 0) r.failingSince ??= now;
      // A diagnostic mark the first time someone's frames did not decrypt (dropped, not shown).
      if (rep.failed > 0 && !this.#undecryptable.has(r.participant)) {
        this.#undecryptable.add(r.participant);
        performance.mark(`parley:e2ee-undecryptable:${r.participant}`);
      }
    }
    this.emit('report');
  }

  #post(msg: ToWorker, transfer: Transferable[] = []): void {
    if (!this.#closed) this.#worker.postMessage(msg, transfer);
  }
}
