import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { parseFileEnd } from '@parley/protocol';
import { FileAssembly } from './FileAssembly';
import { FileSource } from './FileSource';
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

async function roundTrip(bytes: Uint8Array<ArrayBuffer>, chunk?: number) {
  const assembly = new FileAssembly(bytes.length);
  let result: ReturnType<FileAssembly['finish']> | null = null;
  const ch = new LoopChannel((m) => {
    if (typeof m === 'string') {
      const end = parseFileEnd(m);
      assert.ok(end, 'the last message is file-end');
      result = assembly.finish(end.sha256);
    } else assert.ok(assembly.push(m));
  });
  const progress: number[] = [];
  await streamFile(ch, new FileSource(new Blob([bytes]), chunk), { onProgress: (n) => progress.push(n) });
  while (!result) await new Promise((r) => setTimeout(r, 2));
  ch.stop();
  return { result: result as ReturnType<FileAssembly['finish']>, progress, maxBuffered: ch.maxBuffered };
}

describe('chunking, reassembly and hash check', () => {
  test('files of awkward sizes arrive byte for byte with the right SHA-256', async () => {
    for (const size of [0, 1, 1000, 262_144, 262_145, 3 * 262_144 - 7]) {
      const bytes = new Uint8Array(randomBytes(size));
      const { result, progress } = await roundTrip(bytes);
      assert.ok(result.ok, `size ${size}`);
      if (!result.ok) continue;
      assert.equal(result.sha256, createHash('sha256').update(bytes).digest('hex'));
      assert.deepEqual(new Uint8Array(await result.blob.arrayBuffer()), bytes);
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

  test('a corrupted chunk or a short file fails the check and hands out nothing', () => {
    const bytes = new Uint8Array(randomBytes(1000));
    const sha = createHash('sha256').update(bytes).digest('hex');
    const a = new FileAssembly(1000);
    const bad = bytes.slice();
    bad[500] = (bad[500] ?? 0) ^ 1;
    a.push(bad.buffer);
    assert.deepEqual(a.finish(sha), { ok: false, reason: 'hash' });
    const b = new FileAssembly(1000);
    b.push(bytes.slice(0, 999).buffer);
    assert.deepEqual(b.finish(sha), { ok: false, reason: 'size' });
    const c = new FileAssembly(10);
    assert.equal(c.push(new ArrayBuffer(11)), false, 'more than announced is refused');
  });

  test('several receivers share one source; the hash is complete whichever finishes first', async () => {
    const bytes = new Uint8Array(randomBytes(2 * 1024 * 1024 + 5));
    const source = new FileSource(new Blob([bytes]), 64 * 1024);
    const expected = createHash('sha256').update(bytes).digest('hex');
    const runs = [1 << 20, 1 << 16, 1 << 12].map(async (pace) => {
      const assembly = new FileAssembly(bytes.length);
      let result: ReturnType<FileAssembly['finish']> | null = null;
      const ch = new LoopChannel((m) => {
        if (typeof m === 'string') result = assembly.finish(parseFileEnd(m)?.sha256 ?? '');
        else assembly.push(m);
      }, pace);
      await streamFile(ch, source);
      while (!result) await new Promise((r) => setTimeout(r, 2));
      ch.stop();
      return result as ReturnType<FileAssembly['finish']>;
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
