import type { FileSink, SavedFile } from '../files/sinks';

/** What MediaRecorder hands out: a Blob (only its size and bytes are used). */
export interface ChunkLike {
  readonly size: number;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** A sink that can say how many bytes still wait to be written (the disk sink can). */
type Sink = FileSink & { readonly queued?: number };

/**
 * Most bytes a recording may have waiting for the disk before it stops: at the recorder's few
 * Mbit/s this is minutes of a stalled disk, and it bounds the page's memory however long the
 * recording runs.
 */
export const RECORDING_PENDING_MAX_BYTES = 64 * 1024 * 1024;

export class RecordingBackpressureError extends Error {
  constructor(pending: number) {
    super(`The recording could not be written fast enough (${Math.round(pending / 1_048_576)} MiB waiting).`);
    this.name = 'RecordingBackpressureError';
  }
}

/**
 * Writes a recording's chunks to a file sink as they come, in the order they came, whatever
 * order their bytes become readable in. Bytes waiting (read but not yet written, and what the
 * sink still queues) are bounded: past `maxPending` the writer takes no more chunks instead
 * of growing, and the session stops the recording, keeping what was taken until then.
 */
export class ChunkWriter {
  readonly #sink: Sink;
  readonly #maxPending: number;
  #chain: Promise<void> = Promise.resolve();
  #pending = 0;
  #maxSeen = 0;
  #written = 0;
  #error: unknown = null;
  #closed = false;
  /** Called once when writing fails (the sink failed, or too much waits). */
  onError?: (err: unknown) => void;

  constructor(sink: FileSink, maxPending = RECORDING_PENDING_MAX_BYTES) {
    if (!(maxPending > 0)) throw new TypeError('ChunkWriter: maxPending must be positive');
    this.#sink = sink;
    this.#maxPending = maxPending;
    sink.onError = (err) => this.#fail(err);
  }

  /** Bytes handed to the sink so far. */
  get written(): number {
    return this.#written;
  }

  /** Bytes waiting now: pushed and not yet handed over, plus the sink's own queue. */
  get pending(): number {
    return this.#pending + (this.#sink.queued ?? 0);
  }

  /** The most bytes that waited at once (for notes and tests). */
  get maxPending(): number {
    return this.#maxSeen;
  }

  get failed(): boolean {
    return this.#error !== null;
  }

  /** The next chunk, in recording order. Empty chunks are skipped. */
  push(chunk: ChunkLike): void {
    if (this.#closed) throw new Error('ChunkWriter: push after finish');
    if (this.#error || chunk.size === 0) return;
    this.#pending += chunk.size;
    const waiting = this.pending;
    this.#maxSeen = Math.max(this.#maxSeen, waiting);
    if (waiting > this.#maxPending) {
      this.#pending -= chunk.size;
      this.#fail(new RecordingBackpressureError(waiting));
      return;
    }
    // Reading starts now; writing waits for every earlier chunk.
    const bytes = chunk.arrayBuffer();
    this.#chain = this.#chain.then(async () => {
      let buf: ArrayBuffer;
      try {
        buf = await bytes;
      } catch (err) {
        this.#fail(err);
        return;
      } finally {
        this.#pending -= chunk.size;
      }
      if (this.#broken) return;
      this.#sink.write(buf);
      this.#written += buf.byteLength;
    });
  }

  /**
   * Every chunk pushed is written: finish the file. Rejects when the sink failed. After a
   * backpressure failure the file is finished with what was taken before it (a shorter
   * recording that still plays).
   */
  async finish(): Promise<SavedFile> {
    this.#closed = true;
    await this.#chain;
    if (this.#broken) throw this.#error;
    return this.#sink.close();
  }

  /** The sink (or reading a chunk) failed: nothing more can be written. */
  get #broken(): boolean {
    return this.#error !== null && !(this.#error instanceof RecordingBackpressureError);
  }

  /** Give up: the sink drops what it has (a file the picker made for it is removed). */
  async abort(): Promise<void> {
    this.#closed = true;
    this.#error ??= new Error('aborted');
    await this.#chain;
    await this.#sink.abort();
  }

  #fail(err: unknown): void {
    if (this.#error) return;
    this.#error = err;
    this.onError?.(err);
  }
}
