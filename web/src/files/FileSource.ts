import { FILE_CHUNK_BYTES } from '@parley/protocol';
import { Sha256 } from './sha256';

/** The slice of a file-like object that a source needs (a `Blob` or `File`). */
export interface BlobLike {
  readonly size: number;
  slice(start: number, end: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

/**
 * A file being sent, shared by the transfers to every receiver. Reads chunks on demand and
 * hashes the file once, in order, as the fastest transfer passes each chunk; a transfer that
 * reaches the end therefore always finds the digest complete.
 */
export class FileSource {
  readonly size: number;
  readonly #hash = new Sha256();
  #hashed = 0;
  #digest: string | null = null;

  constructor(
    readonly blob: BlobLike,
    readonly chunkBytes = FILE_CHUNK_BYTES,
  ) {
    if (!Number.isInteger(chunkBytes) || chunkBytes <= 0) throw new TypeError('chunkBytes must be a positive integer');
    this.size = blob.size;
    if (this.size === 0) this.#digest = this.#hash.hex();
  }

  /** Byte offsets where chunks start: 0, chunk, 2*chunk, ... */
  chunkCount(): number {
    return Math.ceil(this.size / this.chunkBytes);
  }

  /** Read the chunk that starts at `offset`. */
  async read(offset: number): Promise<Uint8Array> {
    if (offset < 0 || offset >= this.size || offset % this.chunkBytes !== 0) {
      throw new RangeError(`offset ${offset} is not a chunk start of a ${this.size}-byte file`);
    }
    const end = Math.min(offset + this.chunkBytes, this.size);
    return new Uint8Array(await this.blob.slice(offset, end).arrayBuffer());
  }

  /** A transfer is about to send the chunk at `offset`: hash it if it is the next unhashed one. */
  passed(offset: number, bytes: Uint8Array): void {
    if (offset !== this.#hashed) return;
    this.#hash.update(bytes);
    this.#hashed += bytes.length;
    if (this.#hashed === this.size) this.#digest = this.#hash.hex();
  }

  /** The SHA-256 (hex) of the whole file, once every chunk has been passed in order. */
  get digest(): string | null {
    return this.#digest;
  }
}
