import type { FileEnd } from '@parley/protocol';
import { FLOW_POLL_MS, flowLow, maySend } from './flow';
import type { FileSource } from './FileSource';

/** The part of an `RTCDataChannel` the sender uses. */
export interface SendChannel {
  readonly readyState: RTCDataChannelState;
  readonly bufferedAmount: number;
  bufferedAmountLowThreshold: number;
  send(data: string | Uint8Array<ArrayBuffer>): void;
  addEventListener(type: 'bufferedamountlow' | 'close', listener: () => void): void;
  removeEventListener(type: 'bufferedamountlow' | 'close', listener: () => void): void;
}

export class TransferAborted extends Error {
  constructor(readonly reason: 'cancelled' | 'closed') {
    super(reason === 'cancelled' ? 'the transfer was cancelled' : 'the channel closed');
    this.name = 'TransferAborted';
  }
}

/**
 * Send a whole file over one ordered, reliable channel: chunks in order (reading the next one
 * while the current one is queued), with the send buffer bounded by the flow rules, then the
 * `file-end` message with the file's SHA-256. `onProgress` gets the bytes queued so far.
 */
export async function streamFile(
  channel: SendChannel,
  source: FileSource,
  opts: { signal?: AbortSignal; onProgress?: (sent: number) => void } = {},
): Promise<void> {
  const { signal, onProgress } = opts;
  const check = (): void => {
    if (signal?.aborted) throw new TransferAborted('cancelled');
    if (channel.readyState !== 'open') throw new TransferAborted('closed');
  };
  let offset = 0;
  let next: Promise<Uint8Array> | null = source.size > 0 ? source.read(0) : null;
  while (next) {
    const bytes = await next;
    const after = offset + bytes.length;
    next = after < source.size ? source.read(after) : null;
    // Keep the prefetch from becoming an unhandled rejection when we stop early.
    next?.catch(() => undefined);
    check();
    while (!maySend(channel.bufferedAmount, bytes.length, offset)) {
      channel.bufferedAmountLowThreshold = flowLow(offset);
      await drained(channel, signal);
      check();
    }
    source.passed(offset, bytes);
    channel.send(bytes as Uint8Array<ArrayBuffer>);
    offset = after;
    onProgress?.(offset);
  }
  const sha256 = source.digest;
  if (sha256 === null) throw new Error('streamFile: the file was not hashed in full');
  check();
  const end: FileEnd = { type: 'file-end', sha256 };
  channel.send(JSON.stringify(end));
}

/** Resolve when the buffer drains below the threshold, the channel closes, we are aborted, or a poll passes. */
function drained(channel: SendChannel, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      channel.removeEventListener('bufferedamountlow', done);
      channel.removeEventListener('close', done);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, FLOW_POLL_MS);
    channel.addEventListener('bufferedamountlow', done);
    channel.addEventListener('close', done);
    signal?.addEventListener('abort', done);
  });
}
