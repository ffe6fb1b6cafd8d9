import { Session } from 'node:inspector/promises';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { Logger } from '../logger';

/** How often the collector looks at the process (ms). */
export const IDLE_CHECK_MS = 5_000;
/** No connection opened or closed for this long counts as quiet (ms). */
export const IDLE_QUIET_MS = 5_000;
/** Resident memory above the level after the last collection that is worth a collection (bytes). */
export const IDLE_GROWTH_BYTES = 24 * 1024 * 1024;
/** Fewest milliseconds between two collections. */
export const IDLE_MIN_INTERVAL_MS = 30_000;
/**
 * Share of the time since the last check that the event loop may have been busy for the server
 * to count as quiet. Thousands of connected clients that only answer pings keep it near 1 %;
 * relaying their signals keeps it well above.
 */
export const IDLE_BUSY_MAX = 0.1;

export interface IdleCollectorOptions {
  log: Logger;
  /** Resident set size now, in bytes (default: process.memoryUsage.rss). */
  rss?: () => number;
  /** A full garbage collection (default: V8's, through an in-process inspector session). */
  collect?: () => Promise<void>;
  now?: () => number;
  /**
   * Share of the time the event loop was busy since the previous call, 0 to 1 (default: Node's
   * event loop utilization).
   */
  busy?: () => number;
}

/** Node's event loop utilization since the previous call (since start at the first). */
function loopBusy(): () => number {
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const share = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    return share;
  };
}

/**
 * Gives memory back once a burst is over. V8 runs a full collection only when it needs room,
 * so after a storm of connections (or an attack) has gone, an idle server can hold a hundred
 * megabytes of garbage for hours. When the process has grown by IDLE_GROWTH_BYTES since the last
 * collection, no connection has opened or closed for IDLE_QUIET_MS and the event loop was busy
 * less than IDLE_BUSY_MAX of the time since the last look, this runs one full collection (at
 * most one per IDLE_MIN_INTERVAL_MS): a pause of a few milliseconds on a quiet server instead of
 * resident memory that never comes down. A server that simply holds many
 * clients collects once and then settles at its new level.
 */
export class IdleCollector {
  readonly #log: Logger;
  readonly #rss: () => number;
  readonly #collect: () => Promise<void>;
  readonly #now: () => number;
  readonly #busy: () => number;
  #baseline: number;
  #lastActivity: number;
  #lastCollection = -Infinity;
  #running = false;
  #timer: NodeJS.Timeout | null = null;
  #session: Session | null = null;

  constructor(opts: IdleCollectorOptions) {
    this.#log = opts.log;
    this.#rss = opts.rss ?? (() => process.memoryUsage.rss());
    this.#collect = opts.collect ?? (() => this.#v8Collect());
    this.#now = opts.now ?? Date.now;
    this.#busy = opts.busy ?? loopBusy();
    this.#baseline = this.#rss();
    this.#lastActivity = this.#now();
  }

  /** Start looking every IDLE_CHECK_MS (the timer does not keep the process alive). */
  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.check(), IDLE_CHECK_MS);
    this.#timer.unref();
  }

  /** A connection opened or closed: the server is not quiet. */
  activity(): void {
    this.#lastActivity = this.#now();
  }

  /** Collect if the process grew and has been quiet; resolves true when it collected. */
  async check(): Promise<boolean> {
    if (this.#running) return false;
    const t = this.#now();
    // Read at every look, so each reading covers the time since the previous one.
    const busy = this.#busy();
    if (t - this.#lastActivity < IDLE_QUIET_MS || t - this.#lastCollection < IDLE_MIN_INTERVAL_MS) return false;
    // Connections that stay but keep talking (a room relaying signals) make a busy server, not
    // an idle one: a full collection there stops every relayed message for its whole pause.
    if (busy > IDLE_BUSY_MAX) return false;
    const before = this.#rss();
    if (before - this.#baseline < IDLE_GROWTH_BYTES) {
      // Memory came down by itself: follow it, so growth is measured from the lowest level.
      this.#baseline = Math.min(this.#baseline, before);
      return false;
    }
    this.#running = true;
    this.#lastCollection = t;
    try {
      await this.#collect();
      this.#baseline = this.#rss();
      this.#log.debug(
        { rssBeforeMb: Math.round(before / 1e6), rssAfterMb: Math.round(this.#baseline / 1e6) },
        'idle: memory collected',
      );
      return true;
    } catch (err) {
      this.#log.warn({ err }, 'idle: collection failed');
      return false;
    } finally {
      this.#running = false;
    }
  }

  async #v8Collect(): Promise<void> {
    if (!this.#session) {
      this.#session = new Session();
      this.#session.connect();
    }
    await this.#session.post('HeapProfiler.collectGarbage');
  }

  /** Stop the timer and the inspector session. Idempotent. */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#session?.disconnect();
    this.#session = null;
  }
}
