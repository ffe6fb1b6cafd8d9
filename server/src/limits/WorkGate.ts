/**
 * A bounded gate for expensive work (scrypt): at most `concurrency` jobs run at once, at most
 * `queueMax` wait for a turn, and the next one is refused at once with a `GateFullError`.
 *
 * Why: Node runs scrypt on libuv's thread pool (4 threads by default), which file reads for
 * static files share. Unbounded, a few clients asking for password checks fill every thread and
 * queue behind them without limit: everyone's page loads wait. Bounded, the pool keeps threads
 * free and the queue (and its memory) stays small.
 */
export class GateFullError extends Error {
  constructor() {
    super('too much work queued');
    this.name = 'GateFullError';
  }
}

export class WorkGate {
  #running = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(
    readonly concurrency: number,
    readonly queueMax: number,
  ) {
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new TypeError('concurrency must be a whole number >= 1');
    if (!Number.isInteger(queueMax) || queueMax < 0) throw new TypeError('queueMax must be a whole number >= 0');
  }

  /** Jobs running now. */
  get running(): number {
    return this.#running;
  }

  /** Jobs waiting for a turn. */
  get queued(): number {
    return this.#waiting.length;
  }

  /** Run `job` when a slot is free; rejects with GateFullError when the wait queue is full. */
  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.#running >= this.concurrency) {
      if (this.#waiting.length >= this.queueMax) throw new GateFullError();
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#running++;
    }
    try {
      return await job();
    } finally {
      // Hand the slot straight to the next waiter (the running count stays), or free it.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }
}
