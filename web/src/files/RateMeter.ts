/** How far back the transfer rate looks, in milliseconds. */
export const RATE_WINDOW_MS = 2_000;

/** Transfer rate over a sliding window, and the time left at that rate. */
export class RateMeter {
  readonly #samples: Array<{ t: number; bytes: number }> = [];

  constructor(readonly windowMs = RATE_WINDOW_MS) {}

  /** Record that `bytes` in total have moved at time `t` (ms). */
  sample(bytes: number, t: number): void {
    this.#samples.push({ t, bytes });
    while (this.#samples.length > 2 && t - (this.#samples[1]?.t ?? t) >= this.windowMs) this.#samples.shift();
  }

  /** Bytes per second over the window; 0 until two samples span some time. */
  rate(): number {
    const first = this.#samples[0];
    const last = this.#samples[this.#samples.length - 1];
    if (!first || !last || last.t <= first.t) return 0;
    return ((last.bytes - first.bytes) * 1000) / (last.t - first.t);
  }

  /** Seconds left to move `total` bytes at the current rate; null when unknown. */
  secondsLeft(total: number): number | null {
    const r = this.rate();
    const last = this.#samples[this.#samples.length - 1];
    if (r <= 0 || !last) return null;
    return Math.max(0, (total - last.bytes) / r);
  }
}
