import {
  FILE_CHANNEL_PREFIX,
  FILE_CONTROL_LABEL,
  FILE_MAX_BYTES,
  TRANSFER_ID_PATTERN,
  fileSizeProblem,
  formatBytes,
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
import { RateMeter } from './RateMeter';
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
  /** Incoming and verified: the file to save, and its SHA-256. */
  url?: string;
  sha256?: string;
}

export interface FileTransfersEvents {
  change: (transfers: TransferView[]) => void;
}

interface Transfer {
  view: TransferView;
  mime: string;
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
  readonly #controls = new Map<string, RTCDataChannel>();
  readonly #outbox = new Map<string, string[]>();
  readonly #transfers = new Map<string, Transfer>();
  readonly #offs: Array<() => void> = [];
  #list: TransferView[] = [];

  constructor(call: Call, opts: { maxBytes?: number } = {}) {
    super();
    this.#call = call;
    this.#maxBytes = opts.maxBytes ?? FILE_MAX_BYTES;
    for (const id of call.transport?.participantIds() ?? []) this.#attach(id);
    // Closing the call removes every path as a leave would: `remote-removed` cleans up.
    this.#offs.push(
      call.on('remote-added', (id) => this.#attach(id)),
      call.on('remote-removed', (id) => this.#peerGone(id)),
      call.on('datachannel', (id, ch) => this.#incoming(id, ch)),
    );
  }

  get transfers(): TransferView[] {
    return this.#list;
  }

  get maxBytes(): number {
    return this.#maxBytes;
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
      const t = this.#add(peerId, id, 'out', name, file.size, mime);
      t.source = source;
      t.view.state = 'waiting';
      this.#control(peerId, { type: 'file-offer', id, name, size: file.size, mime });
    }
    this.#publish();
    return null;
  }

  accept(key: string): void {
    const t = this.#transfers.get(key);
    if (!t || t.view.direction !== 'in' || t.view.state !== 'offered') return;
    t.assembly = new FileAssembly(t.view.size, t.mime);
    t.view.state = 'transferring';
    this.#control(t.view.peerId, { type: 'file-accept', id: idOf(key) });
    this.#publish();
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
    else this.#outbox.set(peerId, [...(this.#outbox.get(peerId) ?? []), text]);
  }

  #onControl(peerId: string, msg: FileControl): void {
    const key = `${peerId}:${msg.id}`;
    const t = this.#transfers.get(key);
    switch (msg.type) {
      case 'file-offer': {
        if (t) return;
        const n = this.#add(peerId, msg.id, 'in', safeFileName(msg.name), msg.size, msg.mime);
        if (fileSizeProblem(msg.size, this.#maxBytes)) {
          this.#control(peerId, { type: 'file-decline', id: msg.id, reason: 'too-large' });
          this.#end(n, 'declined', `Refused: larger than the ${formatBytes(this.#maxBytes)} limit.`);
        } else {
          n.view.state = 'offered';
          this.#publish();
        }
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
              : `${t.view.peerName} declined.`,
          );
        }
        return;
      case 'file-cancel':
        if (t && !terminal.has(t.view.state)) this.#end(t, 'cancelled', `${t.view.peerName} cancelled the transfer.`);
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
    this.#publish();
    const run = async (): Promise<void> => {
      await streamFile(ch, source, { signal: t.abort?.signal, onProgress: (n) => this.#progress(t, n) });
      t.view.state = 'verifying';
      t.view.secondsLeft = 0;
      this.#publish();
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
      const result = assembly.finish(end.sha256);
      this.#control(peerId, { type: 'file-result', id, ok: result.ok });
      if (result.ok) {
        t.view.url = URL.createObjectURL(result.blob);
        t.view.sha256 = result.sha256;
        this.#end(t, 'done', `Received from ${t.view.peerName}; SHA-256 checked.`);
      } else {
        this.#end(
          t,
          'failed',
          result.reason === 'hash'
            ? 'The file arrived damaged (SHA-256 mismatch); it was not saved.'
            : 'The file arrived incomplete; it was not saved.',
        );
      }
    });
    ch.addEventListener('close', () => {
      if (t.view.state === 'transferring') this.#end(t, 'failed', 'The connection was lost during the transfer.');
    });
  }

  #add(peerId: string, id: string, direction: 'in' | 'out', name: string, size: number, mime: string): Transfer {
    const key = `${peerId}:${id}`;
    const peerName =
      this.#call.snapshot.remotes.find((r) => r.participant.id === peerId)?.participant.name ?? 'Someone';
    const t: Transfer = {
      view: { key, direction, peerId, peerName, name, size, bytes: 0, rate: 0, secondsLeft: null, state: 'waiting' },
      mime,
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
    this.#publish();
  }

  #end(t: Transfer, state: TransferState, note: string): void {
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
    this.#publish();
  }

  #peerGone(peerId: string): void {
    this.#controls.delete(peerId);
    this.#outbox.delete(peerId);
    for (const t of this.#transfers.values()) {
      if (t.view.peerId === peerId && !terminal.has(t.view.state)) {
        this.#end(t, 'failed', `${t.view.peerName} left the call.`);
      }
    }
  }

  #publish(): void {
    this.#list = [...this.#transfers.values()].map((t) => ({ ...t.view }));
    this.emit('change', this.#list);
  }
}

function idOf(key: string): string {
  return key.slice(key.indexOf(':') + 1);
}
