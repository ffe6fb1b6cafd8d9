/**
 * Flow control of a file channel (measured on Chromium, see the lab notes): keep the channel's
 * send buffer full enough to never starve SCTP, but bounded so memory stays flat and a slow
 * receiver only slows its own transfer.
 */

/** Stop queueing when this much is buffered. */
export const FLOW_HIGH_BYTES = 16 * 1024 * 1024;
/** ...and resume when the buffer drains to this (`bufferedAmountLowThreshold`). */
export const FLOW_LOW_BYTES = 8 * 1024 * 1024;
/** For the first bytes of a transfer, a small buffer shortens Chromium's initial SCTP stall. */
export const FLOW_START_BYTES = 4 * 1024 * 1024;
export const FLOW_START_HIGH_BYTES = 256 * 1024;
/** Re-check the buffer at least this often in case a low-buffer event is missed. */
export const FLOW_POLL_MS = 100;

/** The most that may sit in the send buffer once `sent` bytes have been queued. */
export function flowHigh(sent: number): number {
  return sent < FLOW_START_BYTES ? FLOW_START_HIGH_BYTES : FLOW_HIGH_BYTES;
}

/** The `bufferedAmountLowThreshold` that matches `flowHigh(sent)`. */
export function flowLow(sent: number): number {
  return sent < FLOW_START_BYTES ? FLOW_START_HIGH_BYTES / 2 : FLOW_LOW_BYTES;
}

/** May a chunk of `size` bytes be queued now? (Always yes on an empty buffer, so big chunks pass.) */
export function maySend(buffered: number, size: number, sent: number): boolean {
  return buffered === 0 || buffered + size <= flowHigh(sent);
}
