import { FILE_CHUNK_BYTES } from '@parley/protocol';
import { Sha256 } from './sha256';

/** The slice of a file-like object that a source needs (a `Blob` or `File`). */
export interface BlobLike {
  readonly size: number;
  slice(start: number, end: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

/**
 * Chunks a source keeps for the transfers behind the one ahead (32 x 256 KiB = 8 MiB). A
 * transfer that falls further behind than this reads its own chunks from the file, so memory
 * stays bounded and the fastest transfer never waits for the slowest.
 */
export const SHARED_WINDOW_CHUNKS = 32;

/**
 * A file being sent, shared by the transfers to every receiver. Each transfer reads through its
 * own `SourceReader`; a chunk is read from the file once, by the transfer ahead, and kept until
 * every other open reader has passed it or it falls out of the window (the last
 * `windowChunks` chunks up to the furthest one read). The file is hashed once, in order, as the
 * fastest transfer passes each chunk; a transfer that reaches the end therefore always finds
 * the digest complete.
 */
export class FileSource {
  readonly size: number;
  readonly #hash = new Sha256();
  #hashed = 0;
  #digest: string | null = null;
  readonly #cache = new Map<number, Promise<Uint8Array>>();
  readonly #readers = new Set<SourceReader>();
  /** The furthest chunk offset read so far (-1 before any). */
  #lead = -1;
  #blobReads = 0;
  #maxCached = 0;

  constructor(
    readonly blob: BlobLike,
    readonly chunkBytes = FILE_CHUNK_BYTES,
    readonly windowChunks = SHARED_WINDOW_CHUNKS,
  ) {
    if (!Number.isInteger(chunkBytes) || chunkBytes <= 0) throw new TypeError('chunkBytes must be a positive integer');
    if (!Number.isInteger(windowChunks) || windowChunks < 1) {
      throw new TypeError('windowChunks must be a positive integer');
    }
    this.size = blob.size;
    if (this.size === 0) this.#digest = this.#hash.hex();
  }

  /** Byte offsets where chunks start: 0, chunk, 2*chunk, ... */
  chunkCount(): number {
    return Math.ceil(this.size / this.chunkBytes);
  }

  /**
   * A reader for one transfer, starting at the first chunk. From now until it is closed, chunks
   * inside the window are kept for it; close it when its transfer ends (however it ends).
   */
  reader(): SourceReader {
    const r = new SourceReader(
      this,
      (reader, offset) => this.#readFor(reader, offset),
      (reader) => this.#close(reader),
    );
    this.#readers.add(r);
    return r;
  }

  /** Read the chunk that starts at `offset` straight from the file (no sharing). */
  read(offset: number): Promise<Uint8Array> {
    this.#check(offset);
    return this.#readBlob(offset);
  }

  /** Chunks held now (for tests and notes). */
  get cachedChunks(): number {
    return this.#cache.size;
  }

  /** The most chunks held at once. */
  get maxCachedChunks(): number {
    return this.#maxCached;
  }

  /** Chunks read from the file so far; with every receiver inside the window, one per chunk. */
  get blobReads(): number {
    return this.#blobReads;
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

  #check(offset: number): void {
    if (offset < 0 || offset >= this.size || offset % this.chunkBytes !== 0) {
      throw new RangeError(`offset ${offset} is not a chunk start of a ${this.size}-byte file`);
    }
  }

  #readBlob(offset: number): Promise<Uint8Array> {
    this.#blobReads++;
    const end = Math.min(offset + this.chunkBytes, this.size);
    return this.blob
      .slice(offset, end)
      .arrayBuffer()
      .then((b) => new Uint8Array(b));
  }

  #readFor(reader: SourceReader, offset: number): Promise<Uint8Array> {
    this.#check(offset);
    let chunk = this.#cache.get(offset);
    if (!chunk) {
      chunk = this.#readBlob(offset);
      if (offset > this.#lead) this.#lead = offset;
      // Keep it only for someone who will still ask for it; a failed read is not kept.
      if (this.#inWindow(offset) && this.#neededByOther(reader, offset)) {
        const kept = chunk;
        this.#cache.set(offset, kept);
        kept.catch(() => {
          if (this.#cache.get(offset) === kept) this.#cache.delete(offset);
        });
      }
    }
    this.#prune();
    this.#maxCached = Math.max(this.#maxCached, this.#cache.size);
    return chunk;
  }

  #inWindow(offset: number): boolean {
    return offset > this.#lead - this.windowChunks * this.chunkBytes;
  }

  #neededByOther(reader: SourceReader, offset: number): boolean {
    for (const r of this.#readers) if (r !== reader && r.position <= offset) return true;
    return false;
  }

  /** Drop chunks every open reader has passed, and those that fell out of the window. */
  #prune(): void {
    let lowest = Infinity;
    for (const r of this.#readers) lowest = Math.min(lowest, r.position);
    for (const offset of this.#cache.keys()) {
      if (offset < lowest || !this.#inWindow(offset)) this.#cache.delete(offset);
    }
  }

  #close(reader: SourceReader): void {
    this.#readers.delete(reader);
    this.#prune();
  }
}

/**
 * One transfer's way through a `FileSource`: chunks in increasing order (it may ask for the
 * next one while the current one is still in use). Chunks before the last one it asked for are
 * released for it. `close` is idempotent.
 */
export class SourceReader {
  readonly #read: (reader: SourceReader, offset: number) => Promise<Uint8Array>;
  readonly #onClose: (reader: SourceReader) => void;
  #position = 0;
  #closed = false;

  /** Made by `FileSource.reader()`. */
  constructor(
    readonly source: FileSource,
    read: (reader: SourceReader, offset: number) => Promise<Uint8Array>,
    onClose: (reader: SourceReader) => void,
  ) {
    this.#read = read;
    this.#onClose = onClose;
  }

  /** The lowest offset this reader may still ask for (Infinity once closed). */
  get position(): number {
    return this.#closed ? Infinity : this.#position;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The chunk that starts at `offset` (shared with the other readers where possible). */
  read(offset: number): Promise<Uint8Array> {
    if (this.#closed) throw new Error('SourceReader: read after close');
    if (offset < this.#position) throw new RangeError(`SourceReader: offset ${offset} is behind ${this.#position}`);
    this.#position = offset;
    return this.#read(this, offset);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#onClose(this);
  }
}
