/**
 * Counting one received RTP stream: packets, and packets missing from its sequence (loss),
 * within a measurement window. Sequence numbers are 16 bits and wrap; late packets (reordered
 * or retransmitted after a NACK) fill the gap they belong to.
 */
export class StreamCount {
  /** Highest extended sequence number seen (-1: none yet). */
  #highest = -1;
  /** `#highest` when the window opened. */
  #base = -1;
  /** Packets received in the window. */
  received = 0;

  constructor(readonly kind: 'audio' | 'video') {}

  add(sequenceNumber: number): void {
    if (this.#highest < 0) {
      this.#highest = sequenceNumber;
      this.#base = sequenceNumber - 1;
    } else {
      // Extend the 16-bit sequence number around the current highest.
      let delta = sequenceNumber - (this.#highest & 0xffff);
      if (delta < -0x8000) delta += 0x10000;
      else if (delta > 0x8000) delta -= 0x10000;
      if (delta > 0) this.#highest += delta;
    }
    this.received++;
  }

  /** Start a window: counting restarts from the highest packet seen. */
  mark(): void {
    this.#base = this.#highest;
    this.received = 0;
  }

  /** Packets the sequence says were sent in the window but never arrived. */
  get lost(): number {
    return Math.max(0, this.#highest - this.#base - this.received);
  }
}
