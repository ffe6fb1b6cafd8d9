import { Emitter } from '../../emitter';
import type { AudioFilter } from '../../media/Call';
import { NOISE_OFF, nextNoiseState, noiseProblem, type NoiseEvent, type NoiseState } from './noiseState';

/** A running suppressor as the control needs it (NoiseSuppressor; fakes in tests). */
export interface Suppressor {
  /** Take this microphone track as input; returns the suppressed track. May throw. */
  use(microphone: MediaStreamTrack): MediaStreamTrack;
  onFailure(listener: (err: unknown) => void): void;
  stop(): void;
}

/** The call, as far as noise suppression touches it. */
export interface NoiseCall {
  setAudioFilter(filter: AudioFilter | null): Promise<void>;
  on(event: 'change', listener: (snapshot: { phase: string }) => void): () => void;
}

export interface NoiseControlOptions {
  /** Start with suppression on (the remembered choice). */
  enabled: boolean;
  /** Loads RNNoise and builds a suppressor (a dynamic import: only when turned on). */
  load: () => Promise<Suppressor>;
  /** Remember the person's choice (not called for the initial `enabled`). */
  remember?: (on: boolean) => void;
}

export interface NoiseControlEvents {
  change: (state: NoiseState) => void;
}

/**
 * Noise suppression of one call: turns RNNoise on and off and falls back to the raw microphone
 * (with a note) when it cannot load or stops working. The suppressed track goes out through the
 * call's audio filter, so the swap is a replaceTrack on every connection, as for a microphone
 * change. It ends with the call.
 */
export class NoiseControl extends Emitter<NoiseControlEvents> {
  readonly #call: NoiseCall;
  readonly #load: () => Promise<Suppressor>;
  readonly #remember: (on: boolean) => void;
  #state: NoiseState = NOISE_OFF;
  #suppressor: Suppressor | null = null;
  /** Bumped by every turn on or off, so a load that finishes late knows it is no longer wanted. */
  #generation = 0;
  #closed = false;
  readonly #offCall: () => void;

  constructor(call: NoiseCall, opts: NoiseControlOptions) {
    super();
    this.#call = call;
    this.#load = opts.load;
    this.#remember = opts.remember ?? (() => undefined);
    this.#offCall = call.on('change', (s) => {
      if (s.phase === 'left' || s.phase === 'failed') this.dispose();
    });
    if (opts.enabled) void this.#turnOn();
  }

  get state(): NoiseState {
    return this.#state;
  }

  /** Turn suppression on or off (remembered for the next visit). Resolves once the swap is done. */
  async setEnabled(on: boolean): Promise<void> {
    if (this.#closed) return;
    this.#remember(on);
    if (on) await this.#turnOn();
    else await this.#turnOff();
  }

  /** Stop suppressing and release everything; idempotent. The call is left as it is. */
  dispose(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#generation++;
    this.#offCall();
    this.#suppressor?.stop();
    this.#suppressor = null;
    this.removeAllListeners();
  }

  async #turnOn(): Promise<void> {
    if (this.#state.enabled && this.#state.status !== 'failed') return;
    const generation = ++this.#generation;
    this.#set({ type: 'enable' });
    let suppressor: Suppressor;
    try {
      suppressor = await this.#load();
    } catch (err) {
      if (generation === this.#generation) this.#set({ type: 'failed', problem: noiseProblem(err) });
      return;
    }
    if (generation !== this.#generation || this.#closed) {
      suppressor.stop();
      return;
    }
    this.#suppressor = suppressor;
    suppressor.onFailure((err) => void this.#fail(suppressor, err));
    const filter: AudioFilter = {
      apply: (microphone) => {
        try {
          return suppressor.use(microphone);
        } catch (err) {
          // Called inside the call's own step: fall back after it, and send the microphone now.
          void Promise.resolve().then(() => this.#fail(suppressor, err));
          return microphone;
        }
      },
    };
    try {
      await this.#call.setAudioFilter(filter);
    } catch (err) {
      await this.#fail(suppressor, err);
      return;
    }
    if (this.#suppressor === suppressor && generation === this.#generation) this.#set({ type: 'ready' });
  }

  async #turnOff(): Promise<void> {
    this.#generation++;
    this.#set({ type: 'disable' });
    const suppressor = this.#suppressor;
    this.#suppressor = null;
    // The raw microphone goes back on the senders before the suppressed track ends.
    await this.#call.setAudioFilter(null).catch(() => undefined);
    suppressor?.stop();
  }

  async #fail(suppressor: Suppressor, err: unknown): Promise<void> {
    if (this.#suppressor !== suppressor || this.#closed) return;
    this.#generation++;
    this.#suppressor = null;
    this.#set({ type: 'failed', problem: noiseProblem(err) });
    await this.#call.setAudioFilter(null).catch(() => undefined);
    suppressor.stop();
  }

  #set(event: NoiseEvent): void {
    const next = nextNoiseState(this.#state, event);
    if (next === this.#state) return;
    this.#state = next;
    this.emit('change', next);
  }
}
