import { levelFromRms, rms } from './level';

let shared: AudioContext | null = null;

/** One AudioContext for the page (browsers limit how many may exist). */
function audioContext(): AudioContext | null {
  if (typeof AudioContext === 'undefined') return null;
  shared ??= new AudioContext();
  if (shared.state === 'suspended') void shared.resume().catch(() => undefined);
  return shared;
}

/**
 * Reads the loudness of one audio track on demand (no timers of its own): an AnalyserNode fed by
 * the track, never connected to the speakers.
 */
export class LevelMeter {
  readonly #source: MediaStreamAudioSourceNode | null;
  readonly #analyser: AnalyserNode | null;
  readonly #buffer: Float32Array<ArrayBuffer>;

  constructor(track: MediaStreamTrack) {
    const ctx = audioContext();
    this.#buffer = new Float32Array(2048);
    if (!ctx) {
      this.#source = null;
      this.#analyser = null;
      return;
    }
    this.#source = ctx.createMediaStreamSource(new MediaStream([track]));
    this.#analyser = ctx.createAnalyser();
    this.#analyser.fftSize = this.#buffer.length;
    this.#source.connect(this.#analyser);
  }

  /** Current level, 0..1 (decibel scale). */
  level(): number {
    if (!this.#analyser) return 0;
    this.#analyser.getFloatTimeDomainData(this.#buffer);
    return levelFromRms(rms(this.#buffer));
  }

  close(): void {
    this.#source?.disconnect();
    this.#analyser?.disconnect();
  }
}
