/**
 * Where the bytes of a received file go while they arrive: kept in memory (and handed out as a
 * Blob once checked), or written to a file the person chose, chunk by chunk, so that a large
 * file never sits in the page's memory. Received files are always typed
 * `application/octet-stream`: the sender's claimed type is not trusted (a "PDF" that is HTML
 * must not be opened as a page).
 */

/** The type every received file gets, whatever the sender claims. */
export const RECEIVED_FILE_TYPE = 'application/octet-stream';

/** Files at least this large are written to disk as they arrive, where the browser can. */
export const DISK_SINK_MIN_BYTES = 32 * 1024 * 1024;

/** The stored file, once every byte arrived and the SHA-256 matched. */
export type SavedFile =
  { kind: 'memory'; blob: Blob } | { kind: 'disk'; name: string } | { kind: 'download'; name: string };

export interface FileSink {
  /** 'disk': a file chosen with the save picker; 'download': streamed into the browser's downloads. */
  readonly kind: SavedFile['kind'];
  /**
   * Store the next chunk (in order); the sink may take the buffer over (transfer it), so the
   * caller must not use it afterwards. Errors surface through `onError` and in `close`.
   */
  write(chunk: ArrayBuffer): void;
  /** Every byte arrived and checked: finish the file. Rejects when it could not be written. */
  close(): Promise<SavedFile>;
  /** Drop what was stored (failure or cancel); a file created for this transfer is removed. */
  abort(): Promise<void>;
  /** Called once when storing fails (disk full, permission withdrawn). */
  onError?: (err: unknown) => void;
}

/** Today's path: chunks kept as they are (no copy) and joined into one Blob at the end. */
export class MemorySink implements FileSink {
  readonly kind = 'memory';
  onError?: (err: unknown) => void;
  readonly #parts: ArrayBuffer[] = [];

  write(chunk: ArrayBuffer): void {
    this.#parts.push(chunk);
  }

  close(): Promise<SavedFile> {
    const blob = new Blob(this.#parts, { type: RECEIVED_FILE_TYPE });
    this.#parts.length = 0;
    return Promise.resolve({ kind: 'memory', blob });
  }

  abort(): Promise<void> {
    this.#parts.length = 0;
    return Promise.resolve();
  }
}

/** The parts of the File System Access API a disk sink uses (`FileSystemFileHandle`). */
export interface SaveHandle {
  readonly name: string;
  getFile(): Promise<{ size: number; lastModified: number }>;
  createWritable(): Promise<SaveWritable>;
  /** Chromium: delete the file. */
  remove?(): Promise<void>;
}
export interface SaveWritable {
  write(data: ArrayBuffer): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}

/** `window.showSaveFilePicker`, reduced to what is used. */
export type SaveFilePicker = (opts: { suggestedName: string }) => Promise<SaveHandle>;

/** The browser's save-file picker, or null where there is none (Firefox, Safari, insecure pages). */
export function browserSaveFilePicker(): SaveFilePicker | null {
  if (typeof window === 'undefined' || !window.isSecureContext) return null;
  const w = window as unknown as { showSaveFilePicker?: SaveFilePicker };
  const pick = w.showSaveFilePicker;
  return typeof pick === 'function' ? (opts) => pick.call(window, opts) : null;
}

/** A file the person chose with the save picker, written as chunks arrive (in order). */
export class DiskSink implements FileSink {
  readonly kind = 'disk';
  onError?: (err: unknown) => void;
  readonly #handle: SaveHandle;
  readonly #writable: SaveWritable;
  /** The picker made this file for us (rather than the person choosing an existing one). */
  readonly #created: boolean;
  #chain: Promise<void> = Promise.resolve();
  #error: unknown = null;
  #queued = 0;
  #maxQueued = 0;

  private constructor(handle: SaveHandle, writable: SaveWritable, created: boolean) {
    this.#handle = handle;
    this.#writable = writable;
    this.#created = created;
  }

  /**
   * Ask where to save `name` (must run from a click). Null when the person cancels the picker;
   * throws when the picker or the file cannot be used (the caller keeps the file in memory).
   */
  static async open(pick: SaveFilePicker, name: string): Promise<DiskSink | null> {
    let handle: SaveHandle;
    try {
      handle = await pick({ suggestedName: name });
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') return null;
      throw err;
    }
    // A file the picker just made is empty and new; an existing one the person chose to
    // replace is left as it was if the transfer fails (the writable writes to a swap file).
    const before = await handle.getFile();
    const created = before.size === 0 && Date.now() - before.lastModified < 60_000;
    return new DiskSink(handle, await handle.createWritable(), created);
  }

  /** Bytes waiting for the disk now (a recording bounds what it lets wait). */
  get queued(): number {
    return this.#queued;
  }

  /** Largest number of bytes waiting for the disk at once (for tests and notes). */
  get maxQueued(): number {
    return this.#maxQueued;
  }

  write(chunk: ArrayBuffer): void {
    if (this.#error) return;
    this.#queued += chunk.byteLength;
    this.#maxQueued = Math.max(this.#maxQueued, this.#queued);
    this.#chain = this.#chain.then(async () => {
      if (this.#error) return;
      try {
        await this.#writable.write(chunk);
      } catch (err) {
        this.#error = err;
        this.onError?.(err);
      } finally {
        this.#queued -= chunk.byteLength;
      }
    });
  }

  async close(): Promise<SavedFile> {
    await this.#chain;
    if (this.#error) {
      await this.abort();
      throw this.#error;
    }
    await this.#writable.close();
    return { kind: 'disk', name: this.#handle.name };
  }

  async abort(): Promise<void> {
    this.#error ??= new Error('aborted');
    await this.#chain;
    await this.#writable.abort().catch(() => undefined);
    if (this.#created) await this.#handle.remove?.().catch(() => undefined);
  }
}
