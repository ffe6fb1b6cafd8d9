import {
  FILE_CHANNEL_PREFIX,
  FILE_CONTROL_LABEL,
  FILE_MAX_BYTES,
  TRANSFER_ID_PATTERN,
  fileSizeProblem,
  parseFileControl,
  parseFileEnd,
  safeFileName,
  type FileControl,
} from '@parley/protocol';
import { Emitter } from '../emitter';
import type { Call } from '../media/Call';
import { randomId } from '../randomId';
import { FileAssembly } from './FileAssembly';
import { FileSource } from './FileSource';
import { OfferBook, OFFERS_PENDING_MAX, type OfferNotice } from './OfferBook';
import { RateMeter } from './RateMeter';
import { canStreamDownloads, DownloadSink } from './downloadSink';
import { browserSaveFilePicker, DISK_SINK_MIN_BYTES, DiskSink, type FileSink, type SaveFilePicker } from './sinks';
import { streamFile, TransferAborted } from './streamFile';

/** How often progress is published to the UI while bytes flow. */
export const PROGRESS_EVERY_MS = 200;

export type TransferState =
  | 'offered' // incoming, waiting for this person's answer
  | 'waiting' // outgoing, waiting for the receiver's answer
  | 'transferring'
  | 'verifying'
  | 'done'
  | 'declined'
  | 'cancelled'
  | 'failed';

export interface TransferView {
  /** Unique on this page: `<peer id>:<transfer id>`. */
  key: string;
  direction: 'in' | 'out';
  peerId: string;
  peerName: string;
  name: string;
  size: number;
  bytes: number;
  /** Bytes per second (0 when unknown). */
  rate: number;
  secondsLeft: number | null;
  state: TransferState;
  /** A sentence for declined/cancelled/failed transfers. */
  note?: string;
  /** Incoming and verified: the file to save (kept in memory), and its SHA-256. */
  url?: string;
  sha256?: string;
  /**
   * Incoming: where the bytes go as they arrive ('disk': a file the person chose; 'download':
   * streamed into the browser's downloads).
   */
  storage?: 'memory' | 'disk' | 'download';
  /** Incoming, accepted, waiting for the person to choose where to save it. */
  choosing?: boolean;
}

export interface FileTransfersEvents {
  change: (transfers: TransferView[]) => void;
}

export interface FileTransfersOptions {
  /** Largest file offered or accepted. Default `FILE_MAX_BYTES` (1 GiB). */
  maxBytes?: number;
  /** Offers one peer may have waiting for an answer at once. Default `OFFERS_PENDING_MAX` (8). */
  pendingOffersMax?: number;
  /** Files at least this large go to disk as they arrive, when a picker exists. Default `DISK_SINK_MIN_BYTES` (32 MiB). */
  diskMinBytes?: number;
  /** The save-file picker. Default: the browser's `showSaveFilePicker`, or null where there is none. */
  saveFilePicker?: SaveFilePicker | null;
  /** Without a picker, stream large files into the downloads through a service worker. Default: where the browser can. */
  streamDownloads?: boolean;
}

interface Transfer {
  view: TransferView;
  /** The copy of `view` last published (null after a change). */
  snap: TransferView | null;
  /** An incoming offer counted as waiting in the offer book. */
  waiting: boolean;
  meter: RateMeter;
  lastPublish: number;
  channel: RTCDataChannel | null;
  /** Outgoing: the shared source and the abort switch of the send loop. */
  source?: FileSource;
  abort?: AbortController;
  /** Incoming: the chunks so far. */
  assembly?: FileAssembly;
}

const terminal = new Set<TransferState>(['done', 'declined', 'cancelled', 'failed']);

/**
 * Peer-to-peer file sharing for one call. Offers, answers and cancels travel on each peer
 * link's control channel; each accepted transfer gets its own ordered data channel, so several
 * receivers run in parallel and a slow one only slows itself. No React here.
 */
export class FileTransfers extends Emitter<FileTransfersEvents> {
  readonly #call: Call;
  readonly #maxBytes: number;
  readonly #diskMinBytes: number;
  readonly #pick: SaveFilePicker | null;
  readonly #streamDownloads: boolean;
  readonly #offers: OfferBook;
  readonly #controls = new Map<string, RTCDataChannel>();
  readonly #outbox = new Map<string, string[]>();
  readonly #transfers = new Map<string, Transfer>();
  readonly #offs: Array<() => void> = [];
  #list: TransferView[] | null = null;
  #publishQueued = false;

  constructor(call: Call, opts: FileTransfersOptions = {}) {
    super();
    this.#call = call;
    this.#maxBytes = opts.maxBytes ?? FILE_MAX_BYTES;
    this.#diskMinBytes = opts.diskMinBytes ?? DISK_SINK_MIN_BYTES;
    this.#pick = opts.saveFilePicker === undefined ? browserSaveFilePicker() : opts.saveFilePicker;
    this.#streamDownloads = opts.streamDownloads ?? canStreamDownloads();
    this.#offers = new OfferBook(opts.pendingOffersMax ?? OFFERS_PENDING_MAX);
    for (const id of call.transport?.participantIds() ?? []) this.#attach(id);
    // Closing the call removes every path as a leave would: `remote-removed` cleans up.
    this.#offs.push(
      call.on('remote-added', (id) => this.#attach(id)),
      call.on('remote-removed', (id) => this.#peerGone(id)),
      call.on('datachannel', (id, ch) => this.#incoming(id, ch)),
    );
  }

  /** Every transfer of this call, oldest first. The same array until something changes. */
  get transfers(): TransferView[] {
    this.#list ??= Array.from(this.#transfers.values(), (t) => (t.snap ??= { ...t.view }));
    return this.#list;
  }

  /** One notice per peer whose offers were declined automatically (too many at once, too large). */
  get notices(): OfferNotice[] {
    return this.#offers.notices();
  }

  /** Offers one peer may have waiting at once. */
  get pendingOffersMax(): number {
    return this.#offers.max;
  }

  dismissNotice(peerId: string): void {
    this.#offers.dismiss(peerId);
    this.#publish();
  }

  get maxBytes(): number {
    return this.#maxBytes;
  }

  /** Files at least this large go to disk as they arrive (when `savesToDisk`). */
  get diskMinBytes(): number {
    return this.#diskMinBytes;
  }

  /**
   * Where files of `diskMinBytes` and more go as they arrive: a file chosen with the save
   * picker, the browser's downloads (service worker), or memory where neither is possible.
   */
  get largeFiles(): 'picker' | 'download' | 'memory' {
    return this.#pick ? 'picker' : this.#streamDownloads ? 'download' : 'memory';
  }

  /**
   * Offer `file` to one participant, or to everyone in the call. Returns a sentence saying why
   * it cannot be sent, or null once offered.
   */
  send(file: Blob & { name?: string }, to?: string): string | null {
    const problem = fileSizeProblem(file.size, this.#maxBytes);
    if (problem) return problem;
    const targets = to ? [to] : (this.#call.transport?.participantIds() ?? []);
    if (targets.length === 0) return 'There is nobody in the call to send a file to.';
    const source = new FileSource(file);
    const name = safeFileName(file.name ?? 'file');
    const mime = file.type.slice(0, 255);
    for (const peerId of targets) {
      const id = randomId();
      const t = this.#add(peerId, id, 'out', name, file.size);
      t.source = source;
      t.view.state = 'waiting';
      this.#control(peerId, { type: 'file-offer', id, name, size: file.size, mime });
    }
    this.#publish();
    return null;
  }

  /**
   * Take an offered file. One of `diskMinBytes` or more is written as it arrives: to a file the
   * person picks (the save picker opens, so call this from a click), or, without a picker, into
   * the browser's downloads; if neither works it is kept in memory. Cancelling the picker
   * leaves the offer open.
   */
  async accept(key: string): Promise<void> {
    const t = this.#transfers.get(key);
    if (!t || t.view.direction !== 'in' || t.view.state !== 'offered' || t.view.choosing) return;
    let sink: FileSink | undefined;
    if (t.view.size >= this.#diskMinBytes && this.largeFiles !== 'memory') {
      t.view.choosing = true;
      this.#publish(t);
      const opened = await this.#openLargeSink(t);
      t.view.choosing = false;
      this.#publish(t);
      if (opened === null) return; // The person cancelled the picker: the offer stays open.
      if (t.view.state !== 'offered') {
        // Withdrawn or declined while the picker or the download was starting.
        await opened?.abort();
        return;
      }
      sink = opened;
    }
    this.#settleOffer(t);
    t.assembly = new FileAssembly(t.view.size, sink);
    t.view.storage = sink?.kind ?? 'memory';
    t.assembly.sink.onError = () => {
      if (t.view.state !== 'transferring') return;
      this.#control(t.view.peerId, { type: 'file-cancel', id: idOf(key) });
      this.#end(t, 'failed', 'The file could not be saved (written or downloaded); the transfer was stopped.');
    };
    t.view.state = 'transferring';
    this.#control(t.view.peerId, { type: 'file-accept', id: idOf(key) });
    this.#publish(t);
  }

  decline(key: string): void {
    const t = this.#transfers.get(key);
    if (!t || t.view.direction !== 'in' || t.view.state !== 'offered') return;
    this.#control(t.view.peerId, { type: 'file-decline', id: idOf(key), reason: 'declined' });
    this.#end(t, 'declined', 'You declined this file.');
  }

  /** Stop a transfer from either side; nothing is kept. */
  cancel(key: string): void {
    const t = this.#transfers.get(key);
    if (!t || terminal.has(t.view.state)) return;
    this.#control(t.view.peerId, { type: 'file-cancel', id: idOf(key) });
    this.#end(t, 'cancelled', 'You cancelled this transfer.');
  }

  /** Forget a finished transfer (and release its file). */
  dismiss(key: string): void {
    const t = this.#transfers.get(key);
    if (!t || !terminal.has(t.view.state)) return;
    if (t.view.url) URL.revokeObjectURL(t.view.url);
    this.#transfers.delete(key);
    this.#publish();
  }

  /**
   * Somewhere to write a large file as it arrives: the file the person picks, or the browser's
   * downloads. Null when the person cancelled the picker; undefined when neither works here
   * (the file is then kept in memory).
   */
  async #openLargeSink(t: Transfer): Promise<FileSink | null | undefined> {
    try {
      if (this.#pick) return await DiskSink.open(this.#pick, t.view.name);
      return await DownloadSink.open(idOf(t.view.key), t.view.name, t.view.size);
    } catch (err) {
      console.warn('files: cannot save the file as it arrives; keeping it in memory', err);
      return undefined;
    }
  }

  dispose(): void {
    for (const off of this.#offs) off();
    for (const t of this.#transfers.values()) {
      if (!terminal.has(t.view.state)) this.#end(t, 'cancelled', 'The call ended.');
      if (t.view.url) URL.revokeObjectURL(t.view.url);
    }
    this.removeAllListeners();
  }

  /* ------------------------------------------------------------------------------------------ */

  #attach(peerId: string): void {
    const control = this.#call.transport?.controlChannel(peerId);
    if (control) this.#useControl(peerId, control);
  }

  #incoming(peerId: string, ch: RTCDataChannel): void {
    if (ch.label === FILE_CONTROL_LABEL) this.#useControl(peerId, ch);
    else if (ch.label.startsWith(FILE_CHANNEL_PREFIX)) this.#incomingChannel(peerId, ch);
  }

  #useControl(peerId: string, ch: RTCDataChannel): void {
    if (this.#controls.get(peerId) === ch) return;
    this.#controls.set(peerId, ch);
    const flush = (): void => {
      for (const text of this.#outbox.get(peerId) ?? []) ch.send(text);
      this.#outbox.delete(peerId);
    };
    if (ch.readyState === 'open') flush();
    else ch.addEventListener('open', flush);
    ch.addEventListener('message', ({ data }: MessageEvent) => {
      const msg = typeof data === 'string' ? parseFileControl(data) : null;
      if (msg) this.#onControl(peerId, msg);
    });
  }

  #control(peerId: string, msg: FileControl): void {
    const text = JSON.stringify(msg);
    const ch = this.#controls.get(peerId);
    if (ch?.readyState === 'open') ch.send(text);
    else {
      const queue = this.#outbox.get(peerId);
      if (queue) queue.push(text);
      else this.#outbox.set(peerId, [text]);
      // A room through the forwarding unit opens the direct path on demand; its control
      // channel then arrives as a `datachannel` event and the outbox is sent on it.
      if (!ch || ch.readyState === 'closing' || ch.readyState === 'closed') this.#call.transport?.connectData(peerId);
    }
  }

  #onControl(peerId: string, msg: FileControl): void {
    const key = `${peerId}:${msg.id}`;
    const t = this.#transfers.get(key);
    switch (msg.type) {
      case 'file-offer': {
        if (t) return;
        // Offers declined automatically become one notice per peer, never rows: a peer that
        // floods offers costs a counter here. The claimed type is ignored (see sinks.ts).
        const name = safeFileName(msg.name);
        const why = fileSizeProblem(msg.size, this.#maxBytes)
          ? 'too-large'
          : this.#offers.admit(peerId)
            ? null
            : 'too-many';
        if (why) {
          this.#control(peerId, { type: 'file-decline', id: msg.id, reason: why });
          this.#offers.declined(peerId, this.#peerName(peerId), why, name);
          this.#publish();
          return;
        }
        const n = this.#add(peerId, msg.id, 'in', name, msg.size);
        n.waiting = true;
        n.view.state = 'offered';
        this.#publish(n);
        return;
      }
      case 'file-accept':
        if (t?.view.direction === 'out' && t.view.state === 'waiting') this.#startSending(t);
        return;
      case 'file-decline':
        if (t?.view.direction === 'out' && t.view.state === 'waiting') {
          this.#end(
            t,
            'declined',
            msg.reason === 'too-large'
              ? `${t.view.peerName} cannot take files this large.`
              : msg.reason === 'too-many'
                ? `${t.view.peerName} already has too many offers from you waiting; send it again once they are answered.`
                : `${t.view.peerName} declined.`,
          );
        }
        return;
      case 'file-cancel':
        if (t?.view.state === 'offered' && !t.view.choosing) {
          // Withdrawn before anyone answered: nothing happened worth a row.
          this.#settleOffer(t);
          this.#transfers.delete(key);
          this.#publish();
        } else if (t && !terminal.has(t.view.state)) {
          this.#end(t, 'cancelled', `${t.view.peerName} cancelled the transfer.`);
        }
        return;
      case 'file-result':
        if (t?.view.direction === 'out' && t.view.state === 'verifying') {
          if (msg.ok) this.#end(t, 'done', `Delivered to ${t.view.peerName}.`);
          else this.#end(t, 'failed', `The file arrived damaged at ${t.view.peerName}; it was not saved.`);
        }
        return;
    }
  }

  #startSending(t: Transfer): void {
    const source = t.source;
    const label = `${FILE_CHANNEL_PREFIX}${idOf(t.view.key)}`;
    const ch = source ? this.#call.transport?.openDataChannel(t.view.peerId, label, { ordered: true }) : null;
    if (!ch || !source) return this.#end(t, 'failed', `${t.view.peerName} is no longer connected.`);
    ch.binaryType = 'arraybuffer';
    t.channel = ch;
    t.abort = new AbortController();
    t.view.state = 'transferring';
    this.#publish(t);
    const run = async (): Promise<void> => {
      await streamFile(ch, source, { signal: t.abort?.signal, onProgress: (n) => this.#progress(t, n) });
      t.view.state = 'verifying';
      t.view.secondsLeft = 0;
      this.#publish(t);
    };
    ch.addEventListener('open', () => {
      run().catch((err: unknown) => {
        if (terminal.has(t.view.state)) return;
        if (err instanceof TransferAborted && err.reason === 'cancelled') return;
        this.#end(t, 'failed', 'The connection was lost during the transfer.');
      });
    });
    ch.addEventListener('close', () => {
      if (!terminal.has(t.view.state) && t.view.state !== 'verifying') {
        this.#end(t, 'failed', 'The connection was lost during the transfer.');
      }
    });
  }

  #incomingChannel(peerId: string, ch: RTCDataChannel): void {
    const id = ch.label.slice(FILE_CHANNEL_PREFIX.length);
    const t = TRANSFER_ID_PATTERN.test(id) ? this.#transfers.get(`${peerId}:${id}`) : undefined;
    if (!t || t.view.direction !== 'in' || t.view.state !== 'transferring' || !t.assembly || t.channel) {
      ch.close();
      return;
    }
    const assembly = t.assembly;
    ch.binaryType = 'arraybuffer';
    t.channel = ch;
    ch.addEventListener('message', ({ data }: MessageEvent) => {
      if (t.view.state !== 'transferring') return;
      if (data instanceof ArrayBuffer) {
        if (!assembly.push(data)) {
          this.#control(peerId, { type: 'file-cancel', id });
          this.#end(t, 'failed', 'More data arrived than announced; the file was discarded.');
          return;
        }
        this.#progress(t, assembly.received);
        return;
      }
      const end = typeof data === 'string' ? parseFileEnd(data) : null;
      if (!end) return;
      t.view.state = 'verifying';
      this.#publish(t);
      void assembly.finish(end.sha256).then((result) => {
        if (t.view.state !== 'verifying') {
          // Cancelled while the last bytes were written: keep nothing.
          if (result.ok) void assembly.sink.abort();
          return;
        }
        this.#control(peerId, { type: 'file-result', id, ok: result.ok });
        if (result.ok) {
          t.view.sha256 = result.sha256;
          if (result.saved.kind === 'memory') {
            t.view.url = URL.createObjectURL(result.saved.blob);
            this.#end(t, 'done', `Received from ${t.view.peerName}; SHA-256 checked.`);
          } else if (result.saved.kind === 'download') {
            this.#end(t, 'done', `Saved to your downloads as ${result.saved.name}; SHA-256 checked.`);
          } else {
            this.#end(t, 'done', `Saved as ${result.saved.name}; SHA-256 checked.`);
          }
        } else {
          const disk = assembly.sink.kind !== 'memory';
          this.#end(
            t,
            'failed',
            result.reason === 'hash'
              ? `The file arrived damaged (SHA-256 mismatch); it was ${disk ? 'deleted' : 'not saved'}.`
              : result.reason === 'size'
                ? `The file arrived incomplete; it was ${disk ? 'deleted' : 'not saved'}.`
                : 'The file could not be written to disk.',
          );
        }
      });
    });
    ch.addEventListener('close', () => {
      if (t.view.state === 'transferring') this.#end(t, 'failed', 'The connection was lost during the transfer.');
    });
  }

  #peerName(peerId: string): string {
    return this.#call.snapshot.remotes.find((r) => r.participant.id === peerId)?.participant.name ?? 'Someone';
  }

  #add(peerId: string, id: string, direction: 'in' | 'out', name: string, size: number): Transfer {
    const key = `${peerId}:${id}`;
    const peerName = this.#peerName(peerId);
    const t: Transfer = {
      view: { key, direction, peerId, peerName, name, size, bytes: 0, rate: 0, secondsLeft: null, state: 'waiting' },
      snap: null,
      waiting: false,
      meter: new RateMeter(),
      lastPublish: 0,
      channel: null,
    };
    this.#transfers.set(key, t);
    return t;
  }

  #progress(t: Transfer, bytes: number): void {
    const now = performance.now();
    t.view.bytes = bytes;
    t.meter.sample(bytes, now);
    if (now - t.lastPublish < PROGRESS_EVERY_MS && bytes < t.view.size) return;
    t.lastPublish = now;
    t.view.rate = t.meter.rate();
    t.view.secondsLeft = t.meter.secondsLeft(t.view.size);
    this.#publish(t);
  }

  #end(t: Transfer, state: TransferState, note: string): void {
    this.#settleOffer(t);
    t.view.state = state;
    t.view.note = note;
    t.view.secondsLeft = null;
    t.abort?.abort();
    t.assembly?.discard();
    t.assembly = undefined;
    t.source = undefined;
    const ch = t.channel;
    t.channel = null;
    if (ch && ch.readyState !== 'closed') {
      // Let queued bytes and the end message drain after a success; cut at once otherwise.
      if (state !== 'done') ch.close();
      else setTimeout(() => ch.close(), 1_000);
    }
    this.#publish(t);
  }

  /** An incoming offer stops waiting for an answer (once). */
  #settleOffer(t: Transfer): void {
    if (!t.waiting) return;
    t.waiting = false;
    this.#offers.settled(t.view.peerId);
  }

  #peerGone(peerId: string): void {
    this.#controls.delete(peerId);
    this.#outbox.delete(peerId);
    this.#offers.forget(peerId);
    for (const t of this.#transfers.values()) {
      if (t.view.peerId === peerId && !terminal.has(t.view.state)) {
        this.#end(t, 'failed', `${t.view.peerName} left the call.`);
      }
    }
  }

  /**
   * Something changed (`t`, when one transfer did). Readers of `transfers` see it at once; the
   * change event goes out once per turn of the event loop however many changes it held, and
   * only changed transfers are copied.
   */
  #publish(t?: Transfer): void {
    if (t) t.snap = null;
    this.#list = null;
    if (this.#publishQueued) return;
    this.#publishQueued = true;
    queueMicrotask(() => {
      this.#publishQueued = false;
      this.emit('change', this.transfers);
    });
  }
}

function idOf(key: string): string {
  return key.slice(key.indexOf(':') + 1);
}
