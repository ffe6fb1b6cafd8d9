import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { resolveObjectURL } from 'node:buffer';
import { FILE_CHANNEL_PREFIX, FILE_CONTROL_LABEL, parseFileEnd, type FileControl } from '@parley/protocol';
import type { Call } from '../media/Call';
import { FileAssembly } from './FileAssembly';
import { FileSource } from './FileSource';
import { FileTransfers, type TransferView } from './FileTransfers';
import { OFFERS_PENDING_MAX } from './OfferBook';
import type { FileSink, SaveFilePicker } from './sinks';
import { FLOW_HIGH_BYTES, flowHigh, maySend } from './flow';
import { RateMeter } from './RateMeter';
import { streamFile, TransferAborted, type SendChannel } from './streamFile';

/**
 * An in-memory channel that behaves like an RTCDataChannel's send side: a buffer drained at a
 * fixed pace into a receiver callback, with the buffered-amount-low event.
 */
class LoopChannel implements SendChannel {
  readyState: RTCDataChannelState = 'open';
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  maxBuffered = 0;
  readonly #queue: Array<string | Uint8Array> = [];
  readonly #listeners = { bufferedamountlow: new Set<() => void>(), close: new Set<() => void>() };
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(
    readonly deliver: (m: string | ArrayBuffer) => void,
    bytesPerTick = 1 << 20,
  ) {
    this.#timer = setInterval(() => this.#drain(bytesPerTick), 1);
  }
  send(data: string | Uint8Array): void {
    if (this.readyState !== 'open') throw new Error('InvalidStateError');
    this.#queue.push(data);
    this.bufferedAmount += typeof data === 'string' ? data.length : data.byteLength;
    this.maxBuffered = Math.max(this.maxBuffered, this.bufferedAmount);
  }
  close(): void {
    this.readyState = 'closed';
    clearInterval(this.#timer);
    for (const l of this.#listeners.close) l();
  }
  addEventListener(type: 'bufferedamountlow' | 'close', l: () => void): void {
    this.#listeners[type].add(l);
  }
  removeEventListener(type: 'bufferedamountlow' | 'close', l: () => void): void {
    this.#listeners[type].delete(l);
  }
  #drain(budget: number): void {
    let left = budget;
    const before = this.bufferedAmount;
    while (left > 0 && this.#queue.length > 0) {
      const m = this.#queue.shift() as string | Uint8Array;
      const n = typeof m === 'string' ? m.length : m.byteLength;
      left -= n;
      this.bufferedAmount -= n;
      // Copy, as the wire would.
      this.deliver(typeof m === 'string' ? m : (m.slice().buffer as ArrayBuffer));
    }
    if (before > this.bufferedAmountLowThreshold && this.bufferedAmount <= this.bufferedAmountLowThreshold) {
      for (const l of this.#listeners.bufferedamountlow) l();
    }
    if (this.#queue.length === 0 && this.readyState === 'closing') this.close();
  }
  stop(): void {
    clearInterval(this.#timer);
  }
}

type Result = Awaited<ReturnType<FileAssembly['finish']>>;

async function roundTrip(bytes: Uint8Array<ArrayBuffer>, chunk?: number) {
  const assembly = new FileAssembly(bytes.length);
  let result: Result | null = null;
  const ch = new LoopChannel((m) => {
    if (typeof m === 'string') {
      const end = parseFileEnd(m);
      assert.ok(end, 'the last message is file-end');
      void assembly.finish(end.sha256).then((r) => (result = r));
    } else assert.ok(assembly.push(m));
  });
  const progress: number[] = [];
  await streamFile(ch, new FileSource(new Blob([bytes]), chunk), { onProgress: (n) => progress.push(n) });
  while (!result) await new Promise((r) => setTimeout(r, 2));
  ch.stop();
  return { result: result as Result, progress, maxBuffered: ch.maxBuffered };
}

describe('chunking, reassembly and hash check', () => {
  test('files of awkward sizes arrive byte for byte with the right SHA-256', async () => {
    for (const size of [0, 1, 1000, 262_144, 262_145, 3 * 262_144 - 7]) {
      const bytes = new Uint8Array(randomBytes(size));
      const { result, progress } = await roundTrip(bytes);
      assert.ok(result.ok, `size ${size}`);
      if (!result.ok) continue;
      assert.equal(result.sha256, createHash('sha256').update(bytes).digest('hex'));
      assert.equal(result.saved.kind, 'memory');
      if (result.saved.kind !== 'memory') continue;
      assert.equal(result.saved.blob.type, 'application/octet-stream');
      assert.deepEqual(new Uint8Array(await result.saved.blob.arrayBuffer()), bytes);
      assert.equal(progress.at(-1) ?? 0, size);
      assert.equal(progress.length, Math.ceil(size / 262_144));
    }
  });

  test('the send buffer stays bounded on a large file', async () => {
    const bytes = new Uint8Array(40 * 1024 * 1024);
    bytes[12345] = 7;
    const { result, maxBuffered } = await roundTrip(bytes);
    assert.ok(result.ok);
    assert.ok(maxBuffered <= FLOW_HIGH_BYTES, `max buffered ${maxBuffered}`);
  });

  test('a corrupted chunk or a short file fails the check and hands out nothing', async () => {
    const bytes = new Uint8Array(randomBytes(1000));
    const sha = createHash('sha256').update(bytes).digest('hex');
    const a = new FileAssembly(1000);
    const bad = bytes.slice();
    bad[500] = (bad[500] ?? 0) ^ 1;
    a.push(bad.buffer);
    assert.deepEqual(await a.finish(sha), { ok: false, reason: 'hash' });
    const b = new FileAssembly(1000);
    b.push(bytes.slice(0, 999).buffer);
    assert.deepEqual(await b.finish(sha), { ok: false, reason: 'size' });
    const c = new FileAssembly(10);
    assert.equal(c.push(new ArrayBuffer(11)), false, 'more than announced is refused');
  });

  test('several receivers share one source; the hash is complete whichever finishes first', async () => {
    const bytes = new Uint8Array(randomBytes(2 * 1024 * 1024 + 5));
    const source = new FileSource(new Blob([bytes]), 64 * 1024);
    const expected = createHash('sha256').update(bytes).digest('hex');
    const runs = [1 << 20, 1 << 16, 1 << 12].map(async (pace) => {
      const assembly = new FileAssembly(bytes.length);
      let result: Result | null = null;
      const ch = new LoopChannel((m) => {
        if (typeof m === 'string') void assembly.finish(parseFileEnd(m)?.sha256 ?? '').then((r) => (result = r));
        else assembly.push(m);
      }, pace);
      await streamFile(ch, source);
      while (!result) await new Promise((r) => setTimeout(r, 2));
      ch.stop();
      return result as Result;
    });
    for (const r of await Promise.all(runs)) {
      assert.ok(r.ok);
      if (r.ok) assert.equal(r.sha256, expected);
    }
  });

  test('cancelling or a closing channel stops the sender', async () => {
    const bytes = new Uint8Array(8 * 1024 * 1024);
    const ac = new AbortController();
    const ch = new LoopChannel(() => undefined, 64 * 1024);
    const p = streamFile(ch, new FileSource(new Blob([bytes])), {
      signal: ac.signal,
      onProgress: (n) => n > 1024 * 1024 && ac.abort(),
    });
    await assert.rejects(p, (e: unknown) => e instanceof TransferAborted && e.reason === 'cancelled');
    ch.stop();
    const ch2 = new LoopChannel(() => undefined, 64 * 1024);
    const p2 = streamFile(ch2, new FileSource(new Blob([bytes])), {
      onProgress: (n) => n > 1024 * 1024 && ch2.close(),
    });
    await assert.rejects(p2, (e: unknown) => e instanceof TransferAborted && e.reason === 'closed');
  });
});

describe('flow and rate', () => {
  test('a small buffer at the start, a large one after', () => {
    assert.equal(flowHigh(0), 256 * 1024);
    assert.equal(flowHigh(64 * 1024 * 1024), FLOW_HIGH_BYTES);
    assert.equal(maySend(0, 10 * FLOW_HIGH_BYTES, 0), true, 'an empty buffer takes any chunk');
    assert.equal(maySend(FLOW_HIGH_BYTES, 1, 1 << 30), false);
  });
  test('rate over a window and time left', () => {
    const m = new RateMeter(1_000);
    assert.equal(m.rate(), 0);
    assert.equal(m.secondsLeft(100), null);
    m.sample(0, 0);
    m.sample(1_000_000, 500);
    assert.equal(m.rate(), 2_000_000);
    assert.equal(m.secondsLeft(3_000_000), 1);
    m.sample(1_000_000, 5_000);
    assert.ok(m.rate() < 300_000, 'a stall lowers the rate');
  });
});

/* -------------------------------------------------------------------------------------------- */
/* FileTransfers against one fake peer: its control channel and the data channels it opens.     */

/** A data channel whose sends are recorded and whose messages the test delivers. */
class FakeChannel {
  readyState: RTCDataChannelState = 'open';
  binaryType = 'arraybuffer';
  readonly sent: string[] = [];
  readonly #listeners = new Map<string, Set<(ev: { data?: unknown }) => void>>();
  constructor(readonly label: string) {}
  send(data: string): void {
    this.sent.push(data);
  }
  close(): void {
    if (this.readyState === 'closed') return;
    this.readyState = 'closed';
    this.#fire('close', {});
  }
  addEventListener(type: string, l: (ev: { data?: unknown }) => void): void {
    let set = this.#listeners.get(type);
    if (!set) this.#listeners.set(type, (set = new Set()));
    set.add(l);
  }
  removeEventListener(type: string, l: (ev: { data?: unknown }) => void): void {
    this.#listeners.get(type)?.delete(l);
  }
  deliver(data: unknown): void {
    this.#fire('message', { data });
  }
  open(): void {
    this.readyState = 'open';
    this.#fire('open', {});
  }
  #fire(type: string, ev: { data?: unknown }): void {
    for (const l of this.#listeners.get(type) ?? []) l(ev);
  }
}

function fakePeer(opts: ConstructorParameters<typeof FileTransfers>[1] = {}) {
  const control = new FakeChannel(FILE_CONTROL_LABEL);
  let onDataChannel: (id: string, ch: FakeChannel) => void = () => undefined;
  const transport = {
    participantIds: () => ['mallory'],
    controlChannel: (id: string) => (id === 'mallory' ? control : null),
    openDataChannel: (id: string, label: string) => (id === 'mallory' ? new FakeChannel(label) : null),
  };
  const call = {
    transport,
    on: (event: string, l: (id: string, ch: FakeChannel) => void) => {
      if (event === 'datachannel') onDataChannel = l;
      return () => undefined;
    },
    snapshot: { phase: 'joined', remotes: [{ participant: { id: 'mallory', name: 'Mallory' } }] },
  };
  const files = new FileTransfers(call as unknown as Call, { saveFilePicker: null, ...opts });
  const offer = (id: string, size = 100, name = `f-${id}.txt`, mime = 'text/plain'): void =>
    control.deliver(JSON.stringify({ type: 'file-offer', id, name, size, mime }));
  const replies = () => control.sent.map((t) => JSON.parse(t) as FileControl);
  /** The peer opens the data channel of transfer `id` and sends `bytes`, then the end message with `sha256`. */
  const stream = (id: string, bytes: Uint8Array, sha256: string): FakeChannel => {
    const ch = new FakeChannel(`${FILE_CHANNEL_PREFIX}${id}`);
    onDataChannel('mallory', ch);
    for (let at = 0; at < bytes.length; at += 1000) ch.deliver(bytes.slice(at, at + 1000).buffer);
    ch.deliver(JSON.stringify({ type: 'file-end', sha256 }));
    return ch;
  };
  return { files, control, offer, replies, stream };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

async function waitState(files: FileTransfers, key: string, states: string[]): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const t = files.transfers.find((x) => x.key === key);
    if (t && states.includes(t.state)) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.fail(
    `${key} never reached ${states.join('/')}: ${JSON.stringify(files.transfers.find((x) => x.key === key))}`,
  );
}

describe('a data path opened on demand (rooms through the forwarding unit)', () => {
  test('an offer to someone without a control channel asks the transport for a path and goes out once it opens', async () => {
    const asked: string[] = [];
    let onDataChannel: (id: string, ch: FakeChannel) => void = () => undefined;
    const transport = {
      participantIds: () => ['bob'],
      controlChannel: () => null,
      openDataChannel: () => null,
      connectData: (id: string) => asked.push(id),
    };
    const call = {
      transport,
      on: (event: string, l: (id: string, ch: FakeChannel) => void) => {
        if (event === 'datachannel') onDataChannel = l;
        return () => undefined;
      },
      snapshot: { phase: 'joined', remotes: [{ participant: { id: 'bob', name: 'Bob' } }] },
    };
    const files = new FileTransfers(call as unknown as Call, { saveFilePicker: null });
    assert.equal(files.send(new Blob(['hello']), 'bob'), null);
    assert.deepEqual(asked, ['bob'], 'no control channel: the transport is asked for a path');
    const control = new FakeChannel(FILE_CONTROL_LABEL);
    control.readyState = 'connecting';
    onDataChannel('bob', control);
    assert.deepEqual(control.sent, [], 'held until the channel opens');
    control.open();
    assert.deepEqual(
      control.sent.map((t) => (JSON.parse(t) as FileControl).type),
      ['file-offer'],
    );
    // The path closes (the other browser went away): the next message asks for a new one.
    control.close();
    files.cancel(files.transfers[0]?.key ?? '');
    assert.deepEqual(asked, ['bob', 'bob']);
    await settle();
  });
});

describe('incoming offers', () => {
  test('a flood of offers from one peer: 8 wait, the rest are declined with a reason, one notice', async () => {
    const { files, offer, replies } = fakePeer();
    let changes = 0;
    files.on('change', () => changes++);
    const lists: TransferView[][] = [];
    for (let i = 0; i < 5_000; i++) {
      offer(`o${i}`);
      if (i < 20) lists.push(files.transfers);
    }
    await settle();
    assert.equal(files.transfers.length, OFFERS_PENDING_MAX, 'rows only for the offers that may wait');
    assert.ok(files.transfers.every((t) => t.state === 'offered'));
    const declines = replies().filter((r) => r.type === 'file-decline');
    assert.equal(declines.length, 5_000 - OFFERS_PENDING_MAX);
    assert.ok(declines.every((r) => r.type === 'file-decline' && r.reason === 'too-many'));
    assert.equal(files.notices.length, 1);
    assert.equal(files.notices[0]?.tooMany, 5_000 - OFFERS_PENDING_MAX);
    assert.equal(files.notices[0]?.peerName, 'Mallory');
    assert.equal(changes, 1, 'one change event for a burst');
    // Rows that did not change are not copied again: the list is rebuilt from kept copies.
    assert.equal(lists[3]?.[0], lists[19]?.[0]);

    // Answering frees a place: the next offer waits again.
    files.decline('mallory:o0');
    offer('again');
    assert.equal(files.transfers.filter((t) => t.state === 'offered').length, OFFERS_PENDING_MAX);
    assert.ok(files.transfers.some((t) => t.key === 'mallory:again'));
    files.dismissNotice('mallory');
    assert.equal(files.notices.length, 0);
  });

  test('offers withdrawn before an answer leave nothing behind', async () => {
    const { files, control, offer } = fakePeer();
    for (let i = 0; i < 2_000; i++) {
      offer(`w${i}`);
      control.deliver(JSON.stringify({ type: 'file-cancel', id: `w${i}` }));
    }
    await settle();
    assert.equal(files.transfers.length, 0);
    assert.equal(files.notices.length, 0);
    offer('last');
    assert.equal(files.transfers[0]?.state, 'offered', 'the slots were freed');
  });

  test('files above the limit are declined as too-large into the same notice', () => {
    const { files, offer, replies } = fakePeer({ maxBytes: 1_000 });
    for (let i = 0; i < 100; i++) offer(`big${i}`, 5_000);
    assert.equal(files.transfers.length, 0);
    assert.equal(files.notices[0]?.tooLarge, 100);
    assert.ok(replies().every((r) => r.type === 'file-decline' && r.reason === 'too-large'));
  });

  test('a received file is application/octet-stream whatever the sender claims, and byte-identical', async () => {
    const { files, offer, stream, replies } = fakePeer();
    const bytes = new Uint8Array(randomBytes(10_000));
    const sha = createHash('sha256').update(bytes).digest('hex');
    offer('page', bytes.length, 'invoice.html', 'text/html');
    await files.accept('mallory:page');
    stream('page', bytes, sha);
    await waitState(files, 'mallory:page', ['done', 'failed']);
    const t = files.transfers.find((x) => x.key === 'mallory:page');
    assert.equal(t?.state, 'done');
    assert.equal(t?.storage, 'memory');
    const blob = resolveObjectURL(t?.url ?? '');
    assert.ok(blob);
    assert.equal(blob.type, 'application/octet-stream');
    assert.equal(
      createHash('sha256')
        .update(new Uint8Array(await blob.arrayBuffer()))
        .digest('hex'),
      sha,
    );
    assert.deepEqual(replies().at(-1), { type: 'file-result', id: 'page', ok: true });
  });
});

/** A save picker over an in-memory "disk", recording what happens to each file. */
function fakeDisk() {
  const files = new Map<string, { bytes: number[]; closed: boolean; aborted: boolean; removed: boolean }>();
  let cancelNext = false;
  const pick: SaveFilePicker = ({ suggestedName }) => {
    if (cancelNext) {
      cancelNext = false;
      return Promise.reject(new DOMException('The user aborted a request.', 'AbortError'));
    }
    const f = { bytes: [] as number[], closed: false, aborted: false, removed: false };
    files.set(suggestedName, f);
    return Promise.resolve({
      name: suggestedName,
      getFile: () => Promise.resolve({ size: 0, lastModified: Date.now() }),
      createWritable: () =>
        Promise.resolve({
          write: async (data: ArrayBuffer) => {
            await new Promise((r) => setTimeout(r, 0));
            f.bytes.push(...new Uint8Array(data));
          },
          close: () => Promise.resolve(void (f.closed = true)),
          abort: () => Promise.resolve(void (f.aborted = true)),
        }),
      remove: () => Promise.resolve(void (f.removed = true)),
    });
  };
  return { pick, files, cancelPicker: () => (cancelNext = true) };
}

describe('large files go to disk as they arrive', () => {
  test('written chunk by chunk to the chosen file, hash checked, nothing kept in memory', async () => {
    const disk = fakeDisk();
    const { files, offer, stream } = fakePeer({ saveFilePicker: disk.pick, diskMinBytes: 4_000 });
    const bytes = new Uint8Array(randomBytes(50_000));
    const sha = createHash('sha256').update(bytes).digest('hex');
    offer('big', bytes.length, 'big.bin');
    offer('small', 10, 'small.bin');
    await files.accept('mallory:big');
    const t = () => files.transfers.find((x) => x.key === 'mallory:big');
    assert.equal(t()?.storage, 'disk');
    stream('big', bytes, sha);
    await waitState(files, 'mallory:big', ['done', 'failed']);
    assert.equal(t()?.state, 'done');
    assert.equal(t()?.url, undefined, 'no in-memory copy to hand out');
    assert.equal(t()?.sha256, sha);
    const written = disk.files.get('big.bin');
    assert.ok(written?.closed);
    assert.deepEqual(new Uint8Array(written.bytes), bytes);
    // Small files stay in memory: no picker for them.
    await files.accept('mallory:small');
    assert.equal(files.transfers.find((x) => x.key === 'mallory:small')?.storage, 'memory');
    assert.equal(disk.files.has('small.bin'), false);
  });

  test('a SHA-256 mismatch fails the transfer and deletes the written file', async () => {
    const disk = fakeDisk();
    const { files, offer, stream, replies } = fakePeer({ saveFilePicker: disk.pick, diskMinBytes: 1 });
    const bytes = new Uint8Array(randomBytes(20_000));
    offer('bad', bytes.length, 'bad.bin');
    await files.accept('mallory:bad');
    stream('bad', bytes, createHash('sha256').update('something else').digest('hex'));
    await waitState(files, 'mallory:bad', ['done', 'failed']);
    const t = files.transfers.find((x) => x.key === 'mallory:bad');
    assert.equal(t?.state, 'failed');
    assert.match(t?.note ?? '', /SHA-256 mismatch.*deleted/);
    const f = disk.files.get('bad.bin');
    assert.ok(f?.aborted && f.removed && !f.closed, JSON.stringify({ ...f, bytes: f?.bytes.length }));
    assert.deepEqual(replies().at(-1), { type: 'file-result', id: 'bad', ok: false });
  });

  test('a sink that takes each chunk over (transfers it to a worker) still gets a complete, checked file', async () => {
    const got: ArrayBuffer[] = [];
    const sink: FileSink = {
      kind: 'download',
      write: (chunk) => void got.push(structuredClone(chunk, { transfer: [chunk] })),
      close: () => Promise.resolve({ kind: 'download', name: 'x' }),
      abort: () => Promise.resolve(),
    };
    const bytes = new Uint8Array(randomBytes(5_000));
    const a = new FileAssembly(bytes.length, sink);
    for (let at = 0; at < bytes.length; at += 1_000) assert.ok(a.push(bytes.slice(at, at + 1_000).buffer));
    assert.equal(a.received, bytes.length);
    const r = await a.finish(createHash('sha256').update(bytes).digest('hex'));
    assert.equal(r.ok, true);
    assert.deepEqual(new Uint8Array(await new Blob(got).arrayBuffer()), bytes);
  });

  test('cancelling the picker leaves the offer open; accepting again works', async () => {
    const disk = fakeDisk();
    const { files, offer, replies } = fakePeer({ saveFilePicker: disk.pick, diskMinBytes: 1 });
    offer('x', 10, 'x.bin');
    disk.cancelPicker();
    await files.accept('mallory:x');
    assert.equal(files.transfers[0]?.state, 'offered');
    assert.equal(replies().length, 0, 'nothing was answered');
    await files.accept('mallory:x');
    assert.equal(files.transfers[0]?.state, 'transferring');
    assert.deepEqual(replies(), [{ type: 'file-accept', id: 'x' }]);
  });
});
