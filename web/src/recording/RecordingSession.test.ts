import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FileSink, SavedFile } from '../files/sinks';
import type { ChunkLike } from './ChunkWriter';
import { RECORDING_TIMESLICE_MS, RecordingSession, type RecorderLike, type RecordingDeps } from './RecordingSession';

class FakeSink implements FileSink {
  readonly kind = 'download' as const;
  onError?: (err: unknown) => void;
  readonly parts: string[] = [];
  closed = false;
  aborted = false;
  write(chunk: ArrayBuffer): void {
    this.parts.push(new TextDecoder().decode(chunk));
  }
  close(): Promise<SavedFile> {
    this.closed = true;
    return Promise.resolve({ kind: 'download', name: 'parley-room.webm' });
  }
  abort(): Promise<void> {
    this.aborted = true;
    return Promise.resolve();
  }
}

class FakeRecorder implements RecorderLike {
  state: 'inactive' | 'recording' | 'paused' = 'inactive';
  ondataavailable: ((e: { data: ChunkLike }) => void) | null = null;
  onstop: (() => void) | null = null;
  onerror: ((e: unknown) => void) | null = null;
  timeslice = 0;
  start(timeslice: number): void {
    this.state = 'recording';
    this.timeslice = timeslice;
  }
  emit(text: string): void {
    const bytes = new TextEncoder().encode(text);
    this.ondataavailable?.({ data: { size: bytes.byteLength, arrayBuffer: () => Promise.resolve(bytes.buffer) } });
  }
  stop(): void {
    // As MediaRecorder: the last chunk, then `stop`, asynchronously.
    setTimeout(() => {
      this.emit('last');
      this.state = 'inactive';
      this.onstop?.();
    }, 1);
  }
}

function setup(over: Partial<RecordingDeps<string>> = {}) {
  const log: string[] = [];
  const sink = new FakeSink();
  const recorder = new FakeRecorder();
  let captured = 0;
  const deps: RecordingDeps<string> = {
    announce: () => {
      log.push('announce');
      return Promise.resolve();
    },
    unannounce: () => {
      log.push('unannounce');
      return Promise.resolve();
    },
    openSink: () => {
      log.push('sink');
      return Promise.resolve(sink);
    },
    pickFirst: false,
    capture: () => {
      log.push('capture');
      captured++;
      return { stream: 'composed', stop: () => log.push('capture-stopped') };
    },
    makeRecorder: (stream) => {
      assert.equal(stream, 'composed');
      log.push('recorder');
      return recorder;
    },
    now: () => 42,
    ...over,
  };
  const session = new RecordingSession(deps);
  const phases: string[] = [];
  session.on('change', () => {
    if (phases[phases.length - 1] !== session.view.phase) phases.push(session.view.phase);
  });
  return { session, sink, recorder, log, phases, captured: () => captured };
}

test('recording: start → recording → stopping → saved, the server asked before anything is recorded', async () => {
  const { session, sink, recorder, log, phases } = setup();
  await session.start();
  assert.equal(session.view.phase, 'recording');
  assert.equal(session.view.startedAt, 42);
  assert.equal(recorder.timeslice, RECORDING_TIMESLICE_MS, 'chunks come every second, not at the end');
  assert.deepEqual(log, ['announce', 'sink', 'capture', 'recorder'], 'announced first, then recorded');
  recorder.emit('a');
  recorder.emit('b');
  await session.stop();
  assert.deepEqual(phases, ['starting', 'recording', 'stopping', 'saved']);
  assert.deepEqual(sink.parts, ['a', 'b', 'last']);
  assert.equal(sink.closed, true);
  assert.deepEqual(session.view.saved, { kind: 'download', name: 'parley-room.webm' });
  assert.ok(log.includes('unannounce') && log.includes('capture-stopped'));
  // A second recording may follow.
  await session.start();
  assert.equal(session.view.phase, 'recording');
  await session.dispose();
  assert.equal(session.view.phase, 'saved');
});

test('recording: refused by the server: nothing is captured and a picked file is dropped', async () => {
  const refusal = Object.assign(new Error('Only the host may record this call.'), { id: 'recording-host-only' });
  const { session, sink, log, phases, captured } = setup({ pickFirst: true, announce: () => Promise.reject(refusal) });
  await session.start();
  assert.deepEqual(phases, ['starting', 'refused']);
  assert.equal(session.view.message, 'Only the host may record this call.');
  assert.equal(captured(), 0);
  assert.equal(sink.aborted, true);
  assert.deepEqual(log, ['sink']);
});

test('recording: cancelling the save picker goes back to idle without asking the server', async () => {
  const { session, log } = setup({ pickFirst: true, openSink: () => Promise.resolve(null) });
  await session.start();
  assert.equal(session.view.phase, 'idle');
  assert.deepEqual(log, []);
});

test('recording: a download that cannot start takes the announcement back', async () => {
  const { session, log } = setup({ openSink: () => Promise.reject(new Error('the download worker did not answer')) });
  await session.start();
  assert.equal(session.view.phase, 'failed');
  assert.match(session.view.message ?? '', /could not start: the download worker did not answer/);
  assert.deepEqual(log, ['announce', 'unannounce']);
});

test('recording: the server ending it (host only now) stops and saves; after a rejoin it is announced again', async () => {
  const { session, sink, log } = setup();
  await session.start();
  session.serverState({ hostOnly: false, recorders: [{ id: 'me', name: 'Me', since: 1 }] }, 'update', 'me');
  assert.equal(session.view.phase, 'recording', 'still listed: nothing to do');
  session.serverState({ hostOnly: false, recorders: [] }, 'join', 'me');
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(session.view.phase, 'recording');
  assert.deepEqual(
    log.filter((l) => l === 'announce'),
    ['announce', 'announce'],
    'a server that forgot is told again',
  );
  session.serverState({ hostOnly: true, recorders: [] }, 'update', 'me');
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(session.view.phase, 'saved');
  assert.match(session.view.message ?? '', /host only/);
  assert.equal(sink.closed, true);
});

test('recording: stop while starting records nothing', async () => {
  let answer: () => void = () => undefined;
  const { session, sink, captured } = setup({ announce: () => new Promise<void>((r) => (answer = r)) });
  const starting = session.start();
  await session.stop();
  answer();
  await starting;
  assert.equal(session.view.phase, 'idle');
  assert.equal(captured(), 0);
  assert.equal(sink.aborted, true);
});

test('recording: a recorder error stops and saves what was written', async () => {
  const { session, sink, recorder } = setup();
  await session.start();
  recorder.emit('a');
  recorder.onerror?.({ error: { message: 'encoder gone' } });
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(session.view.phase, 'saved');
  assert.match(session.view.message ?? '', /encoder gone/);
  assert.deepEqual(sink.parts, ['a', 'last']);
});
