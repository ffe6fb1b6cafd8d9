import type { Clock } from './RateLimiter';

/** A weighted count per key in fixed one-minute windows. A limit of 0 means unlimited. */
export class WindowCounter {
  readonly #windows = new Map<string, { start: number; count: number }>();

  constructor(
    readonly perMinute: number,
    readonly now: Clock = Date.now,
  ) {}

  #window(key: string): { start: number; count: number } {
    const t = this.now();
    let w = this.#windows.get(key);
    if (!w || t - w.start >= 60_000) {
      w = { start: t, count: 0 };
      this.#windows.set(key, w);
    }
    return w;
  }

  /** What `key` spent in this window. */
  spent(key: string): number {
    const w = this.#windows.get(key);
    return w && this.now() - w.start < 60_000 ? w.count : 0;
  }

  /** Spend `cost` for `key` when it still fits in this window; false (nothing spent) when not. */
  take(key: string, cost = 1): boolean {
    if (this.perMinute <= 0) return true;
    const w = this.#window(key);
    if (w.count + cost > this.perMinute) return false;
    w.count += cost;
    return true;
  }

  /** Spend `cost` whether or not it fits (the work was done already). */
  add(key: string, cost: number): void {
    if (this.perMinute <= 0) return;
    this.#window(key).count += cost;
  }

  /** Forget windows that have ended (call now and then). */
  prune(): void {
    const t = this.now();
    for (const [k, w] of this.#windows) if (t - w.start >= 60_000) this.#windows.delete(k);
  }

  get size(): number {
    return this.#windows.size;
  }
}
