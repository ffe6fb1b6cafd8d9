/**
 * How often the segmentation model runs. Every camera frame is composited (with the latest
 * mask), but the model runs only when due: at most `maxModelFps`, and less often when it is
 * slow, so that it takes at most `share` of the thread and the video never waits on it. A model
 * that catches up again is let back up to the top rate.
 */
export interface PacerOptions {
  /** Highest model rate (runs per second). Default 15. */
  maxModelFps?: number;
  /** Lowest model rate: below it the mask would trail a moving person too far. Default 2. */
  minModelFps?: number;
  /** Largest share of the thread the model may take (0..1). Default 0.5. */
  share?: number;
  /** Weight of the newest cost in the moving average (0..1). Default 0.3. */
  smoothing?: number;
}

/** How early (ms) a frame may arrive and still be on time for the model. */
const FRAME_JITTER_MS = 4;

export class ModelPacer {
  readonly #minInterval: number;
  readonly #maxInterval: number;
  readonly #share: number;
  readonly #smoothing: number;
  #lastRun = Number.NEGATIVE_INFINITY;
  #cost: number | null = null;
  #busy = false;

  constructor(opts: PacerOptions = {}) {
    const max = opts.maxModelFps ?? 15;
    const min = opts.minModelFps ?? 2;
    if (!(max > 0) || !(min > 0) || min > max) throw new TypeError('ModelPacer: need 0 < minModelFps <= maxModelFps');
    const share = opts.share ?? 0.5;
    if (!(share > 0 && share <= 1)) throw new TypeError('ModelPacer: share must be in (0, 1]');
    this.#minInterval = 1000 / max;
    this.#maxInterval = 1000 / min;
    this.#share = share;
    this.#smoothing = opts.smoothing ?? 0.3;
  }

  /** Milliseconds between model runs now. */
  get interval(): number {
    const byCost = this.#cost === null ? 0 : this.#cost / this.#share;
    return Math.min(this.#maxInterval, Math.max(this.#minInterval, byCost));
  }

  /** Model runs per second now. */
  get modelFps(): number {
    return 1000 / this.interval;
  }

  /** Average cost of one model run (ms), null before the first. */
  get cost(): number | null {
    return this.#cost;
  }

  /**
   * Whether the frame arriving at `now` should go through the model (never while one runs).
   * Camera frames come with a few ms of jitter: a frame that early still counts as on time,
   * else a 30 fps camera would give a 15 fps model only every third frame.
   */
  due(now: number): boolean {
    return !this.#busy && now - this.#lastRun >= this.interval - FRAME_JITTER_MS;
  }

  /** A model run starts at `now`. */
  started(now: number): void {
    this.#busy = true;
    this.#lastRun = now;
  }

  /** The run that started at `startedAt` ended at `now`. */
  finished(startedAt: number, now: number): void {
    this.#busy = false;
    const cost = Math.max(0, now - startedAt);
    this.#cost = this.#cost === null ? cost : this.#cost + this.#smoothing * (cost - this.#cost);
  }
}
