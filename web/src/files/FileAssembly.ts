import { Sha256 } from './sha256';

export type AssemblyResult = { ok: true; blob: Blob; sha256: string } | { ok: false; reason: 'size' | 'hash' };

/**
 * A file being received: collects chunks (without copying them), hashes them as they arrive,
 * and on the sender's end message checks size and SHA-256 before handing out the file.
 */
export class FileAssembly {
  readonly #parts: ArrayBuffer[] = [];
  readonly #hash = new Sha256();
  #received = 0;
  #finished = false;

  constructor(
    readonly size: number,
    readonly mime = 'application/octet-stream',
  ) {
    if (!Number.isSafeInteger(size) || size < 0) throw new TypeError('size must be a non-negative integer');
  }

  get received(): number {
    return this.#received;
  }

  /** Add the next chunk. Returns false (and keeps nothing more) when it would exceed the announced size. */
  push(chunk: ArrayBuffer): boolean {
    if (this.#finished) return false;
    if (this.#received + chunk.byteLength > this.size) return false;
    this.#hash.update(new Uint8Array(chunk));
    this.#parts.push(chunk);
    this.#received += chunk.byteLength;
    return true;
  }

  /** The sender says it is done and the file's SHA-256 is `sha256`: check and hand out the file. */
  finish(sha256: string): AssemblyResult {
    if (this.#finished) throw new Error('FileAssembly: finish called twice');
    this.#finished = true;
    if (this.#received !== this.size) return this.#discard('size');
    const digest = this.#hash.hex();
    if (digest !== sha256) return this.#discard('hash');
    const blob = new Blob(this.#parts, { type: this.mime });
    this.#parts.length = 0;
    return { ok: true, blob, sha256: digest };
  }

  /** Drop everything received (cancel or failure). */
  discard(): void {
    this.#finished = true;
    this.#parts.length = 0;
  }

  #discard(reason: 'size' | 'hash'): AssemblyResult {
    this.#parts.length = 0;
    return { ok: false, reason };
  }
}
