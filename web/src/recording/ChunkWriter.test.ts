import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FileSink, SavedFile } from '../files/sinks';
import { ChunkWriter, RecordingBackpressureError, type ChunkLike } from './ChunkWriter';

class FakeSink implements FileSink {
  readonly kind = 'disk' as const;
  onError?: (err: unknown) => void;
  readonly parts: string[] = [];
  queued = 0;
  closed = false;
  aborted = false;
  write(chunk: ArrayBuffer): void {
    this.parts.push(new TextDecoder().decode(chunk));
  }
  close(): Promise<SavedFile> {
    this.closed = true;
    return Promise.resolve({ kind: 'disk', name: 'call.webm' });
  }
  abort(): Promise<void> {
    this.aborted = true;
    return Promise.resolve();
  }
}

/** A chunk whose bytes become readable after `ms`. */
function chunk(text: string, ms: number): ChunkLike {
  const bytes = new TextEncoder().encode(text);
  return {
    size: bytes.byteLength,
    arrayBuffer: () => new Promise((r) => setTimeout(() => r(bytes.buffer.slice(0) as ArrayBuffer), ms)),
  };
}

test('ChunkWriter: chunks are written in the order recorded even when later ones read faster', async () => {
  const sink = new FakeSink();
  const w = new ChunkWriter(sink);
  w.push(chunk('one,', 30));
  w.push(chunk('two,', 0));
  w.push({ size: 0, arrayBuffer: () => Promise.reject(new Error('an empty chunk is never read')) });
  w.push(chunk('three', 10));
  assert.equal(w.pending, 13);
  const saved = await w.finish();
  assert.deepEqual(sink.parts, ['one,', 'two,', 'three']);
  assert.equal(w.written, 13);
  assert.equal(w.pending, 0);
  assert.deepEqual(saved, { kind: 'disk', name: 'call.webm' });
  assert.equal(sink.closed, true);
  assert.throws(() => w.push(chunk('late', 0)), /after finish/);
});

test('ChunkWriter: past the pending bound (its own and the sink queue) it takes no more and keeps what it took', async () => {
  const sink = new FakeSink();
  const errors: unknown[] = [];
  const w = new ChunkWriter(sink, 10);
  w.onError = (e) => errors.push(e);
  w.push(chunk('12345', 20));
  sink.queued = 4; // the disk is behind
  w.push(chunk('67890', 0));
  assert.equal(errors.length, 1);
  assert.ok(errors[0] instanceof RecordingBackpressureError);
  assert.equal(w.failed, true);
  // Nothing more is taken once over.
  w.push(chunk('x', 0));
  assert.deepEqual(await w.finish(), { kind: 'disk', name: 'call.webm' });
  assert.deepEqual(sink.parts, ['12345'], 'the file ends with the chunks taken before the bound');
  assert.equal(sink.closed, true);
});

test('ChunkWriter: a sink error fails the writer once and finish rejects; abort drops the file', async () => {
  const sink = new FakeSink();
  const errors: unknown[] = [];
  const w = new ChunkWriter(sink);
  w.onError = (e) => errors.push(e);
  w.push(chunk('a', 0));
  await new Promise((r) => setTimeout(r, 5));
  sink.onError?.(new Error('disk full'));
  sink.onError?.(new Error('again'));
  assert.equal(errors.length, 1);
  await assert.rejects(w.finish(), /disk full/);
  await w.abort();
  assert.equal(sink.aborted, true);
});

test('ChunkWriter: a bound that is not positive is refused', () => {
  assert.throws(() => new ChunkWriter(new FakeSink(), 0), TypeError);
});
