import { RoomKeyring, senderTag } from './frameCrypto';
import { DecryptCounters, frameTransformStream, type EncodedFrameLike, type FrameKeys } from './frameTransform';
import type { FromWorker, StreamOptions, ToWorker } from './messages';

/*
 * The frame-encryption worker: every encoded frame a call sends or receives passes through it.
 * Streams arrive either as RTCRtpScriptTransform transformers (`rtctransform` events) or as the
 * readable/writable pair of Chromium's createEncodedStreams (a `stream` message). Frames are
 * never sent back to the page; only counts of frames that decrypted or did not (every second).
 */

/** How often decrypt counts go to the page. */
const REPORT_MS = 1_000;

/** The worker's global scope, as far as it is used here (the page's DOM types do not describe it). */
declare const self: {
  postMessage(message: FromWorker): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  onrtctransform: ((event: { transformer: ScriptTransformer }) => void) | null;
};

interface ScriptTransformer {
  readonly readable: ReadableStream<EncodedFrameLike>;
  readonly writable: WritableStream<EncodedFrameLike>;
  readonly options: StreamOptions;
}

let keys: FrameKeys | null = null;
let keyChange: Promise<void> = Promise.resolve();
const counters = new DecryptCounters();

function post(msg: FromWorker): void {
  self.postMessage(msg);
}

function run(
  readable: ReadableStream<EncodedFrameLike>,
  writable: WritableStream<EncodedFrameLike>,
  opts: StreamOptions,
): void {
  readable
    .pipeThrough(frameTransformStream(opts, () => keys, counters))
    .pipeTo(writable)
    .catch(() => counters.forget(opts.id))
    .finally(() => counters.forget(opts.id));
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const msg = event.data;
  switch (msg.type) {
    case 'key':
      // Messages are handled in order, but the tag takes a digest: chain key changes.
      keyChange = keyChange.then(async () => {
        const selfTag = await senderTag(msg.selfId);
        if (!keys) keys = { keyring: new RoomKeyring(msg.roomKey, msg.epoch), selfTag };
        // A rejoin says who we are again; rotated keys come and go with `add-key` / `use-epoch`.
        else keys.selfTag = selfTag;
      });
      break;
    case 'add-key':
      keyChange = keyChange.then(() => keys?.keyring.add(msg.roomKey, msg.epoch));
      break;
    case 'use-epoch':
      keyChange = keyChange.then(() => {
        try {
          keys?.keyring.use(msg.epoch);
        } catch (err) {
          post({ type: 'error', message: String(err) });
        }
      });
      break;
    case 'admit':
      keyChange = keyChange.then(async () => {
        const tag = await senderTag(msg.participant);
        keys?.keyring.admit(tag, msg.ms);
      });
      break;
    case 'stream':
      run(msg.readable as ReadableStream<EncodedFrameLike>, msg.writable as WritableStream<EncodedFrameLike>, msg);
      break;
    case 'forget':
      counters.forget(msg.id);
      break;
    default:
      post({ type: 'error', message: `unknown message ${(msg as { type: string }).type}` });
  }
};

self.onrtctransform = (event) => {
  const t = event.transformer;
  run(t.readable, t.writable, t.options);
};

setInterval(() => {
  const reports = counters.takeReports();
  if (reports.length > 0) post({ type: 'report', reports });
}, REPORT_MS);
