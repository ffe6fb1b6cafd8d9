/**
 * Rate limits per connection: a token bucket (messages per second with a burst). Counts per key
 * in one-minute windows are WindowCounter's. A limit of 0 means unlimited.
 */

export type Clock = () => number;

/** Classic token bucket: `ratePerSecond` tokens flow in, at most `burst` are kept. */
export class TokenBucket {
  #tokens: number;
  #last: number;

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    readonly now: Clock = Date.now,
  ) {
    this.#tokens = burst;
    this.#last = now();
  }

  /** Take one token; false when the bucket is empty. Always true when the rate is 0 (unlimited). */
  take(): boolean {
    if (this.ratePerSecond <= 0) return true;
    const t = this.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((t - this.#last) / 1000) * this.ratePerSecond);
    this.#last = t;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

/** What to do with one inbound message of a connection. */
export type Verdict = 'pass' | 'refuse' | 'refuse-quietly' | 'disconnect';

/**
 * A connection's message limit: over the bucket, messages are refused (the first refusal in a
 * second is answered with an error, the rest quietly so a flood cannot make the server talk);
 * after `disconnectAfter` refusals in a row the connection is closed.
 */
export class MessageLimiter {
  readonly #bucket: TokenBucket;
  #refusedInRow = 0;
  #lastErrorAt = -Infinity;

  constructor(
    ratePerSecond: number,
    burst: number,
    readonly disconnectAfter: number,
    readonly now: Clock = Date.now,
  ) {
    this.#bucket = new TokenBucket(ratePerSecond, burst, now);
  }

  check(): Verdict {
    if (this.#bucket.take()) {
      this.#refusedInRow = 0;
      return 'pass';
    }
    return this.strike();
  }

  /** Count one refusal made by another limit (joins per minute) toward disconnecting. */
  strike(): Exclude<Verdict, 'pass'> {
    this.#refusedInRow++;
    if (this.#refusedInRow > this.disconnectAfter) return 'disconnect';
    const t = this.now();
    if (t - this.#lastErrorAt < 1000) return 'refuse-quietly';
    this.#lastErrorAt = t;
    return 'refuse';
  }
}
