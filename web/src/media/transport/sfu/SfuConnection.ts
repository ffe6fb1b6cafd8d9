import { Emitter } from '../../../emitter';
import {
  SFU_CONNECT_TIMEOUT_MS,
  SFU_DISCONNECTED_RESTART_MS,
  SFU_NEGOTIATE_RETRIES,
  SFU_NEGOTIATE_RETRY_MS,
  SFU_REBUILD_AFTER_MS,
  SFU_RESTART_RETRY_MS,
} from '../../liveness';

/** Timers, so that tests can drive time. */
export interface SfuClock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

export const realSfuClock: SfuClock = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  now: () => performance.now(),
};

/** One connection to the forwarding unit: being set up, working, recovering, or closed. */
export type SfuConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

export interface SfuConnectionOptions<T> {
  /** `publish` or `subscribe` (for diagnostics). */
  name: string;
  pc: RTCPeerConnection;
  clock: SfuClock;
  /** Multiplies the connect and restart timeouts (grows as the connection is rebuilt again and again). */
  patience?: number;
  /**
   * Bring the transceivers in line with what is wanted now, just before an offer is made.
   * False: there is nothing to offer (no transceiver at all).
   */
  prepare(): boolean;
  /** What the offer carries, by mid (read after setLocalDescription, when every mid is known). */
  describe(): T[];
  /** Send the offer through signaling; resolves with the server's answer. */
  exchange(sdp: string, tracks: T[]): Promise<string>;
  /** Rewrite the answer before it is applied (the publish side sets the encoder start bitrate). */
  editAnswer?(sdp: string): string;
  /** True while signaling can carry an offer. */
  canSignal(): boolean;
}

export interface SfuConnectionEvents {
  state: (state: SfuConnectionState) => void;
  /** An offer was answered and applied. */
  negotiated: () => void;
  /** The connection cannot be repaired in place: the owner replaces it with a new one. */
  stuck: (why: string) => void;
  warning: (message: string, err?: unknown) => void;
}

/**
 * One RTCPeerConnection to the forwarding unit, always the offering side. Offers are made one at
 * a time: requests made while one is waiting are folded into the next offer, and each offer
 * reads what is wanted at the moment it is made (`prepare`). A failed offer is rolled back and
 * made again (after a delay while signaling is up, or on `resume()` once it is back). A path
 * that is `disconnected` for SFU_DISCONNECTED_RESTART_MS, or `failed`, is ICE-restarted with a
 * new offer, offered again every SFU_RESTART_RETRY_MS until the path is back: the connection
 * (and its DTLS session, under which the server keeps its tracks) is kept through an outage.
 * Only a connection that never connects in time, stays without a path for SFU_REBUILD_AFTER_MS,
 * or whose server forgot it (its answer comes with another DTLS fingerprint), is reported
 * `stuck` for its owner to rebuild.
 */
export class SfuConnection<T> extends Emitter<SfuConnectionEvents> {
  readonly pc: RTCPeerConnection;
  readonly #opts: SfuConnectionOptions<T>;
  readonly #clock: SfuClock;
  readonly #patience: number;
  #state: SfuConnectionState = 'connecting';
  #tail: Promise<void> = Promise.resolve();
  /** The offer waiting to be made; later requests join it. */
  #queued: Promise<void> | null = null;
  #iceRestart = false;
  /** An offer failed (or could not be sent) and must be made again. */
  #dirty = false;
  #failures = 0;
  #retryTimer: unknown = null;
  #disconnectedTimer: unknown = null;
  #watchdog: unknown = null;
  /** Offers the ICE restart again while the path is still down. */
  #restartRetry: unknown = null;
  /** The server's DTLS fingerprint from its first answer. */
  #fingerprint: string | null = null;

  constructor(opts: SfuConnectionOptions<T>) {
    super();
    this.#opts = opts;
    this.#clock = opts.clock;
    this.#patience = opts.patience ?? 1;
    this.pc = opts.pc;
    this.pc.onconnectionstatechange = () => this.#onConnectionState();
    this.#arm(SFU_CONNECT_TIMEOUT_MS * this.#patience, 'not connected in time');
  }

  get state(): SfuConnectionState {
    return this.#state;
  }

  /** Ask for an offer (folded into one already waiting). Never rejects: failures are retried. */
  negotiate(opts: { iceRestart?: boolean } = {}): Promise<void> {
    if (opts.iceRestart) this.#iceRestart = true;
    if (this.#state === 'closed') return Promise.resolve();
    if (this.#queued) return this.#queued;
    const step = this.#tail
      .then(() => {
        this.#queued = null;
        return this.#step();
      })
      .catch((err: unknown) => this.emit('warning', `${this.#opts.name}: offer failed`, err));
    this.#queued = step;
    this.#tail = step;
    return step;
  }

  /** Signaling is back: make the offer that could not be made while it was away. */
  resume(): void {
    if (this.#dirty) void this.negotiate();
  }

  /**
   * Gather new candidates with new ICE credentials and offer them (the server keeps its own).
   * Offered again until the path is back; the connection is rebuilt only after
   * SFU_REBUILD_AFTER_MS without one.
   */
  restartIce(): void {
    if (this.#state === 'closed') return;
    this.emit('warning', `${this.#opts.name}: ICE restart (${this.pc.connectionState})`);
    void this.negotiate({ iceRestart: true });
    if (!this.#watchdog) this.#arm(SFU_REBUILD_AFTER_MS * this.#patience, 'no path to the server for too long');
    if (this.#restartRetry) this.#clock.clearTimeout(this.#restartRetry);
    this.#restartRetry = this.#clock.setTimeout(() => {
      this.#restartRetry = null;
      if (this.#state !== 'connected' && this.#state !== 'closed') this.restartIce();
    }, SFU_RESTART_RETRY_MS * this.#patience);
  }

  /** Fault injection: lose the connection as a crash would; the owner rebuilds it. */
  simulateTransportLoss(): void {
    if (this.#state === 'closed') return;
    this.pc.close();
    this.#setState('reconnecting');
    this.emit('stuck', 'transport lost');
  }

  close(): void {
    if (this.#state === 'closed') return;
    for (const t of [this.#retryTimer, this.#disconnectedTimer, this.#watchdog, this.#restartRetry]) {
      if (t) this.#clock.clearTimeout(t);
    }
    this.#retryTimer = this.#disconnectedTimer = this.#watchdog = this.#restartRetry = null;
    this.pc.onconnectionstatechange = null;
    this.pc.close();
    this.#setState('closed');
    this.removeAllListeners();
  }

  async #step(): Promise<void> {
    if (this.#gone()) return;
    if (!this.#opts.canSignal()) {
      this.#dirty = true; // made on resume()
      return;
    }
    if (!this.#opts.prepare()) {
      this.#dirty = false;
      return;
    }
    const pc = this.pc;
    const iceRestart = this.#iceRestart;
    this.#iceRestart = false;
    try {
      const offer = await pc.createOffer(iceRestart ? { iceRestart: true } : {});
      if (this.#gone()) return;
      await pc.setLocalDescription(offer);
      const sdp = pc.localDescription?.sdp ?? offer.sdp ?? '';
      const answer = await this.#opts.exchange(sdp, this.#opts.describe());
      if (this.#gone()) return;
      const fp = fingerprintOf(answer);
      if (this.#fingerprint !== null && fp !== null && fp !== this.#fingerprint) {
        // A server that restarted answers for a connection it does not know: start over.
        await pc.setLocalDescription({ type: 'rollback' });
        this.emit('stuck', 'the server no longer knows this connection');
        return;
      }
      this.#fingerprint ??= fp;
      await pc.setRemoteDescription({ type: 'answer', sdp: this.#opts.editAnswer?.(answer) ?? answer });
      this.#dirty = false;
      this.#failures = 0;
      this.emit('negotiated');
    } catch (err) {
      if (this.#gone()) return;
      if (pc.signalingState === 'have-local-offer') {
        await pc.setLocalDescription({ type: 'rollback' }).catch(() => undefined);
      }
      this.#iceRestart ||= iceRestart;
      this.#dirty = true;
      this.emit('warning', `${this.#opts.name}: offer failed`, err);
      if (!this.#opts.canSignal()) return; // made again on resume()
      this.#failures++;
      if (this.#failures > SFU_NEGOTIATE_RETRIES) {
        this.emit('stuck', 'the server keeps refusing its offers');
        return;
      }
      this.#retryTimer = this.#clock.setTimeout(
        () => {
          this.#retryTimer = null;
          void this.negotiate();
        },
        SFU_NEGOTIATE_RETRY_MS * 2 ** (this.#failures - 1),
      );
    }
  }

  /** Closed (checked again after each await: close() may have run meanwhile). */
  #gone(): boolean {
    return this.#state === 'closed';
  }

  #onConnectionState(): void {
    const s = this.pc.connectionState;
    if (this.#disconnectedTimer && s !== 'disconnected') {
      this.#clock.clearTimeout(this.#disconnectedTimer);
      this.#disconnectedTimer = null;
    }
    switch (s) {
      case 'connected':
        this.#disarm();
        if (this.#restartRetry) this.#clock.clearTimeout(this.#restartRetry);
        this.#restartRetry = null;
        this.#setState('connected');
        break;
      case 'disconnected':
        if (this.#state === 'connected') this.#setState('reconnecting');
        this.#disconnectedTimer ??= this.#clock.setTimeout(() => {
          this.#disconnectedTimer = null;
          this.restartIce();
        }, SFU_DISCONNECTED_RESTART_MS);
        break;
      case 'failed':
        this.#setState('reconnecting');
        this.restartIce();
        break;
      default:
        break;
    }
  }

  #arm(ms: number, why: string): void {
    this.#disarm();
    this.#watchdog = this.#clock.setTimeout(() => {
      this.#watchdog = null;
      if (this.#state !== 'connected' && this.#state !== 'closed') this.emit('stuck', why);
    }, ms);
  }

  #disarm(): void {
    if (this.#watchdog) this.#clock.clearTimeout(this.#watchdog);
    this.#watchdog = null;
  }

  #setState(state: SfuConnectionState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.emit('state', state);
  }
}

/** The first DTLS fingerprint of a description (session or media level), or null. */
export function fingerprintOf(sdp: string): string | null {
  const m = /^a=fingerprint:(.+)$/m.exec(sdp);
  return m?.[1]?.trim().toLowerCase() ?? null;
}
