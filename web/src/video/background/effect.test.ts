import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BackgroundEffect, shouldApply, sourceOf, type CameraTarget, type StartProcessor } from './effect';
import type { EffectMode, ProcessedCamera } from './processor';

let ids = 0;

/** Enough of a MediaStreamTrack for the effect's bookkeeping. */
function fakeTrack(kind: 'video' | 'audio' = 'video'): MediaStreamTrack {
  const t = {
    id: `t${++ids}`,
    kind,
    enabled: true,
    readyState: 'live' as MediaStreamTrackState,
    stop() {
      t.readyState = 'ended';
    },
    clone: () => fakeTrack(kind),
  };
  return t as unknown as MediaStreamTrack;
}

interface FakeProcessor extends ProcessedCamera {
  fail(err: unknown): void;
  stopped: boolean;
}

function fakeProcessor(source: MediaStreamTrack, mode: EffectMode): FakeProcessor {
  const input = source.clone();
  const track = fakeTrack();
  const listeners: ((e: unknown) => void)[] = [];
  const p: FakeProcessor = {
    mode,
    track,
    source: input,
    stopped: false,
    stats: () => ({
      path: 'canvas',
      framesIn: 0,
      framesOut: 0,
      modelRuns: 0,
      modelFps: 0,
      modelMs: 0,
      compositeMs: 0,
      seconds: 0,
    }),
    onFailure: (l) => void listeners.push(l),
    stop() {
      p.stopped = true;
      input.stop();
      (track as unknown as { readyState: string }).readyState = 'ended';
    },
    handBack: () => input.clone(),
    fail: (err) => listeners.forEach((l) => l(err)),
  };
  // As the real processor: stopping the output track (the call replacing it) disposes it.
  const stopOutput = track.stop.bind(track);
  track.stop = () => {
    stopOutput();
    p.stop();
  };
  return p;
}

/** A call-like target: replacing stops the old track, as Call.replaceLocalTrack does. */
function fakeTarget(initial: MediaStreamTrack | undefined): CameraTarget & { replaced: MediaStreamTrack[] } {
  let current = initial;
  const replaced: MediaStreamTrack[] = [];
  return {
    replaced,
    current: () => current,
    replace: async (track) => {
      const old = current;
      current = track;
      replaced.push(track);
      if (old && old !== track) old.stop();
    },
  };
}

function starter(): { start: StartProcessor; made: FakeProcessor[] } {
  const made: FakeProcessor[] = [];
  return {
    made,
    start: async (source, mode) => {
      const p = fakeProcessor(source, mode);
      made.push(p);
      return p;
    },
  };
}

test('choosing blur swaps in the processed track; none swaps the camera back and ends the processor', async () => {
  const { start, made } = starter();
  const fx = new BackgroundEffect('none', start);
  const camera = fakeTrack();
  const target = fakeTarget(camera);
  await fx.choose('blur', target);
  assert.equal(made.length, 1);
  assert.equal(target.current(), made[0]!.track, 'the processed track is sent');
  assert.equal(sourceOf(made[0]!.track), made[0]!.source, 'its camera is found behind it');
  assert.deepEqual(fx.state, { phase: 'on', mode: 'blur' });

  await fx.choose('none', target);
  const now = target.current();
  assert.ok(now && now !== made[0]!.track && !made.some((p) => p.track === now), 'a raw camera track again');
  assert.equal(now?.readyState, 'live');
  assert.equal(made[0]!.stopped, true, 'the processor was disposed with its track');
  assert.deepEqual(fx.state, { phase: 'off' });
});

test('switching blur -> colour starts the new processor before the old one stops', async () => {
  const { start, made } = starter();
  const fx = new BackgroundEffect('none', start);
  const target = fakeTarget(fakeTrack());
  await fx.choose('blur', target);
  await fx.choose('colour', target);
  assert.equal(made.length, 2);
  assert.equal(made[1]!.mode, 'colour');
  assert.equal(target.current(), made[1]!.track);
  assert.equal(made[0]!.stopped, true);
  assert.equal(made[1]!.stopped, false);
});

test('a model that cannot start: the camera stays as it is and the state carries a note', async () => {
  const fx = new BackgroundEffect('none', async () => {
    throw new Error('this browser has no WebGL2');
  });
  const camera = fakeTrack();
  const target = fakeTarget(camera);
  await fx.choose('blur', target);
  assert.equal(target.current(), camera, 'nothing replaced');
  assert.equal(target.replaced.length, 0);
  assert.equal(fx.state.phase, 'failed');
  assert.match(fx.state.phase === 'failed' ? fx.state.note : '', /WebGL2.*your camera is sent as it is/);
});

test('failing while another effect runs goes back to the raw camera', async () => {
  let fail = false;
  const made: FakeProcessor[] = [];
  const fx = new BackgroundEffect('none', async (source, mode) => {
    if (fail) throw new Error('out of memory');
    const p = fakeProcessor(source, mode);
    made.push(p);
    return p;
  });
  const target = fakeTarget(fakeTrack());
  await fx.choose('blur', target);
  fail = true;
  await fx.choose('colour', target);
  const now = target.current();
  assert.ok(now && now !== made[0]!.track, 'the blurred track is no longer sent');
  assert.equal(now.readyState, 'live');
  assert.equal(made[0]!.stopped, true);
  assert.equal(fx.state.phase, 'failed');
});

test('a model that stops working later: the note shows', async () => {
  const { start, made } = starter();
  const fx = new BackgroundEffect('none', start);
  await fx.choose('colour', fakeTarget(fakeTrack()));
  let told = 0;
  fx.subscribe(() => told++);
  made[0]!.fail(new Error('context lost'));
  assert.equal(fx.state.phase, 'failed');
  assert.equal(told, 1);
});

test('a later choice wins over one still loading', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const made: FakeProcessor[] = [];
  const fx = new BackgroundEffect('none', async (source, mode) => {
    await gate;
    const p = fakeProcessor(source, mode);
    made.push(p);
    return p;
  });
  const camera = fakeTrack();
  const target = fakeTarget(camera);
  const slow = fx.choose('blur', target);
  await fx.choose('none', target);
  release();
  await slow;
  assert.equal(target.current(), camera, 'the late processor is not swapped in');
  assert.equal(made[0]!.stopped, true, 'and it is disposed');
  assert.deepEqual(fx.state, { phase: 'off' });
});

test('wrap: a new camera goes through the chosen effect; the raw track is handed over', async () => {
  const { start, made } = starter();
  const fx = new BackgroundEffect('colour', start);
  const raw = fakeTrack();
  const out = await fx.wrap(raw);
  assert.equal(out, made[0]!.track);
  assert.equal(raw.readyState, 'ended', 'the processor reads its own copy');
  assert.deepEqual(fx.state, { phase: 'on', mode: 'colour' });

  const none = new BackgroundEffect('none', start);
  const cam = fakeTrack();
  assert.equal(await none.wrap(cam), cam);
  const mic = fakeTrack('audio');
  assert.equal(await fx.wrap(mic), mic, 'audio is never processed');
});

test('wrap that fails gives the raw camera and a note', async () => {
  const fx = new BackgroundEffect('blur', async () => {
    throw new Error('no model');
  });
  const raw = fakeTrack();
  assert.equal(await fx.wrap(raw), raw);
  assert.equal(raw.readyState, 'live');
  assert.equal(fx.state.phase, 'failed');
});

test('with no camera the choice is kept for the next one', async () => {
  const { start, made } = starter();
  const fx = new BackgroundEffect('none', start);
  await fx.choose('blur', fakeTarget(undefined));
  assert.equal(made.length, 0);
  assert.equal(fx.mode, 'blur');
  const out = await fx.wrap(fakeTrack());
  assert.equal(out, made[0]!.track);
});

test('shouldApply: a chosen effect is put on a call that sends the raw camera, once nothing loads and nothing failed', () => {
  const on = { phase: 'on', mode: 'blur' } as const;
  assert.equal(shouldApply('blur', on, false, undefined), true, 'raw camera sent while blur is chosen');
  assert.equal(shouldApply('blur', on, false, 'colour'), true, 'the other effect is sent');
  assert.equal(shouldApply('blur', on, false, 'blur'), false, 'already processed');
  assert.equal(shouldApply('blur', on, true, undefined), false, 'a choice is loading');
  assert.equal(shouldApply('none', { phase: 'off' }, false, undefined), false, 'no effect chosen');
  assert.equal(
    shouldApply('colour', { phase: 'failed', mode: 'colour', note: 'x' }, false, undefined),
    false,
    'a failure waits for the person',
  );
});

test('busy while a choice loads, not after', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const fx = new BackgroundEffect('none', async (source, mode) => {
    await gate;
    return fakeProcessor(source, mode);
  });
  const pending = fx.choose('blur', fakeTarget(fakeTrack()));
  assert.equal(fx.busy, true);
  release();
  await pending;
  assert.equal(fx.busy, false);
});
