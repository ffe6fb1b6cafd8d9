import { Sha256 } from './sha256';
import { MemorySink, type FileSink, type SavedFile } from './sinks';

export type AssemblyResult =
  { ok: true; saved: SavedFile; sha256: string } | { ok: false; reason: 'size' | 'hash' | 'write' };

/**
 * A file being received: hashes chunks as they arrive and hands them to a sink (memory, or a
 * file on disk), then on the sender's end message checks size and SHA-256. Only a file that
 * passes is kept; otherwise the sink discards what it stored (and removes a file it created).
 */
export class FileAssembly {
  readonly #hash = new Sha256();
  readonly #sink: FileSink;
  #received = 0;
  #finished = false;

  constructor(
    readonly size: number,
    sink: FileSink = new MemorySink(),
  ) {
    if (!Number.isSafeInteger(size) || size < 0) throw new TypeError('size must be a non-negative integer');
    this.#sink = sink;
  }

  get received(): number {
    return this.#received;
  }

  get sink(): FileSink {
    return this.#sink;
  }

  /** Add the next chunk. Returns false (and keeps nothing more) when it would exceed the announced size. */
  push(chunk: ArrayBuffer): boolean {
    if (this.#finished) return false;
    const length = chunk.byteLength;
    if (this.#received + length > this.size) return false;
    this.#hash.update(new Uint8Array(chunk));
    this.#received += length;
    // Last: a sink may take the buffer over (transfer it to a worker), leaving it empty here.
    this.#sink.write(chunk);
    return true;
  }

  /** The sender says it is done and the file's SHA-256 is `sha256`: check, then keep or discard the file. */
  async finish(sha256: string): Promise<AssemblyResult> {
    if (this.#finished) throw new Error('FileAssembly: finish called twice');
    this.#finished = true;
    if (this.#received !== this.size) return this.#fail('size');
    const digest = this.#hash.hex();
    if (digest !== sha256) return this.#fail('hash');
    try {
      return { ok: true, saved: await this.#sink.close(), sha256: digest };
    } catch {
      return { ok: false, reason: 'write' };
    }
  }

  /** Drop everything received (cancel or failure). */
  discard(): void {
    if (this.#finished) return;
    this.#finished = true;
    void this.#sink.abort();
  }

  async #fail(reason: 'size' | 'hash'): Promise<AssemblyResult> {
    await this.#sink.abort();
    return { ok: false, reason };
  }
}
