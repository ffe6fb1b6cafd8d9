import type { Clock } from './RateLimiter';
import { WindowCounter } from './WindowCounter';

/** What one password check costs; a failed one costs `FAILURE_COST` in all. */
export const CHECK_COST = 1;
/** A failed password check: guessing is what this budget is for, so it costs most. */
export const FAILURE_COST = 10;

/**
 * A separate, stricter budget for password work (a ~50 ms scrypt each): joins that carry a
 * password for a room that has one, and a host setting the room password. Counted per client
 * address and per room in one-minute windows, apart from the join and message limits. A check
 * costs CHECK_COST before it runs; a failure costs FAILURE_COST in all, so a crowd typing the right
 * password passes while guessing runs out fast (with the defaults, 300 units per address: 300
 * right passwords or 30 wrong ones a minute; 60 per room: 6 wrong guesses a minute).
 */
export class PasswordBudget {
  readonly #perAddress: WindowCounter;
  readonly #perRoom: WindowCounter;

  constructor(perAddressPerMinute: number, perRoomPerMinute: number, now: Clock = Date.now) {
    this.#perAddress = new WindowCounter(perAddressPerMinute, now);
    this.#perRoom = new WindowCounter(perRoomPerMinute, now);
  }

  /** Reserve one check for `address` on `room`; false (nothing spent) when either budget is out. */
  begin(address: string, room: string): boolean {
    if (!this.#perAddress.take(address, CHECK_COST)) return false;
    if (!this.#perRoom.take(room, CHECK_COST)) {
      this.#perAddress.add(address, -CHECK_COST);
      return false;
    }
    return true;
  }

  /** The check failed: charge the rest of a failure. */
  failed(address: string, room: string): void {
    this.#perAddress.add(address, FAILURE_COST - CHECK_COST);
    this.#perRoom.add(room, FAILURE_COST - CHECK_COST);
  }

  prune(): void {
    this.#perAddress.prune();
    this.#perRoom.prune();
  }
}
