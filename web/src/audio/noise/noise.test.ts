import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AudioFilter } from '../../media/Call';
import { NoiseControl, type NoiseCall, type Suppressor } from './NoiseControl';
import { NOISE_OFF, nextNoiseState, noiseProblem, noiseStatusText, type NoiseState } from './noiseState';

const track = (id: string): MediaStreamTrack => ({ id, kind: 'audio', enabled: true }) as unknown as MediaStreamTrack;
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('noise suppression state', () => {
  test('on: loading, then on once the suppressed track is in place', () => {
    const loading = nextNoiseState(NOISE_OFF, { type: 'enable' });
    assert.deepEqual(loading, { enabled: true, status: 'loading', problem: null });
    assert.deepEqual(nextNoiseState(loading, { type: 'ready' }), { enabled: true, status: 'on', problem: null });
  });

  test('a late ready or failure after the person turned it off changes nothing', () => {
    assert.equal(nextNoiseState(NOISE_OFF, { type: 'ready' }), NOISE_OFF);
    assert.equal(nextNoiseState(NOISE_OFF, { type: 'failed', problem: 'x' }), NOISE_OFF);
  });

  test('failed keeps the choice, says why, and turning it on again retries', () => {
    const failed = nextNoiseState(nextNoiseState(NOISE_OFF, { type: 'enable' }), {
      type: 'failed',
      problem: 'no wasm',
    });
    assert.deepEqual(failed, { enabled: true, status: 'failed', problem: 'no wasm' });
    assert.match(noiseStatusText(failed) ?? '', /could not run \(no wasm\).*sent as it is/);
    assert.equal(nextNoiseState(failed, { type: 'ready' }), failed, 'no ready without a new load');
    assert.equal(nextNoiseState(failed, { type: 'enable' }).status, 'loading');
    assert.deepEqual(nextNoiseState(failed, { type: 'disable' }), NOISE_OFF);
  });

  test('turning on while on or loading is no new load', () => {
    const on: NoiseState = { enabled: true, status: 'on', problem: null };
    assert.equal(nextNoiseState(on, { type: 'enable' }), on);
  });

  test('status text only where there is something to say', () => {
    assert.equal(noiseStatusText(NOISE_OFF), null);
    assert.equal(noiseStatusText({ enabled: true, status: 'on', problem: null }), null);
    assert.match(noiseStatusText({ enabled: true, status: 'loading', problem: null }) ?? '', /Starting/);
  });

  test('problems are short sentences from whatever was thrown', () => {
    assert.equal(noiseProblem(new Error('CompileError: refused')), 'CompileError: refused');
    assert.equal(noiseProblem({ name: 'AbortError', message: '' }), 'AbortError');
    assert.equal(noiseProblem('x'.repeat(500)).length, 160);
    assert.equal(noiseProblem(undefined), 'unknown error');
    assert.ok(noiseProblem(new Error('y'.repeat(500))).length <= 160);
  });
});

/** A call that records what it sends: the microphone, or what its filter makes of it. */
class FakeCall implements NoiseCall {
  microphone = track('mic');
  filter: AudioFilter | null = null;
  sent: MediaStreamTrack[] = [];
  #listeners = new Set<(s: { phase: string }) => void>();
  setAudioFilter(filter: AudioFilter | null): Promise<void> {
    this.filter = filter;
    this.sent.push(filter ? filter.apply(this.microphone) : this.microphone);
    return Promise.resolve();
  }
  /** A microphone change, as Call.replaceLocalTrack does it. */
  switchMicrophone(next: MediaStreamTrack): void {
    this.microphone = next;
    this.sent.push(this.filter ? this.filter.apply(next) : next);
  }
  on(_event: 'change', listener: (s: { phase: string }) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  phase(phase: string): void {
    for (const l of this.#listeners) l({ phase });
  }
}

class FakeSuppressor implements Suppressor {
  readonly track = track('suppressed');
  inputs: MediaStreamTrack[] = [];
  stopped = 0;
  throwOnUse: Error | null = null;
  failure: ((err: unknown) => void) | null = null;
  use(microphone: MediaStreamTrack): MediaStreamTrack {
    if (this.throwOnUse) throw this.throwOnUse;
    this.inputs.push(microphone);
    return this.track;
  }
  onFailure(listener: (err: unknown) => void): void {
    this.failure = listener;
  }
  stop(): void {
    this.stopped++;
  }
}

function setup(opts: { enabled?: boolean; load?: () => Promise<Suppressor> } = {}) {
  const call = new FakeCall();
  const made: FakeSuppressor[] = [];
  const remembered: boolean[] = [];
  const states: string[] = [];
  const control = new NoiseControl(call, {
    enabled: opts.enabled ?? false,
    load:
      opts.load ??
      (() => {
        const s = new FakeSuppressor();
        made.push(s);
        return Promise.resolve(s);
      }),
    remember: (on) => remembered.push(on),
  });
  control.on('change', (s) => states.push(s.status));
  return { call, control, made, remembered, states };
}

describe('NoiseControl', () => {
  test('on sends the suppressed track, off sends the microphone again and stops the suppressor', async () => {
    const t = setup();
    await t.control.setEnabled(true);
    assert.deepEqual(t.states, ['loading', 'on']);
    assert.equal(t.call.sent.at(-1), t.made[0]?.track);
    assert.deepEqual(t.made[0]?.inputs, [t.call.microphone]);
    await t.control.setEnabled(false);
    assert.equal(t.call.sent.at(-1), t.call.microphone);
    assert.equal(t.made[0]?.stopped, 1);
    assert.deepEqual(t.remembered, [true, false]);
    assert.equal(t.control.state.status, 'off');
  });

  test('a remembered choice starts loading at once and is not saved again', async () => {
    const t = setup({ enabled: true });
    assert.equal(t.control.state.status, 'loading');
    await settle();
    assert.equal(t.control.state.status, 'on');
    assert.deepEqual(t.remembered, []);
  });

  test('a worklet that fails to load: the microphone stays on the senders, with a note', async () => {
    const t = setup({ load: () => Promise.reject(new Error('AbortError: Unable to load a worklet')) });
    await t.control.setEnabled(true);
    assert.deepEqual(t.control.state, {
      enabled: true,
      status: 'failed',
      problem: 'AbortError: Unable to load a worklet',
    });
    assert.deepEqual(t.call.sent, [], 'nothing was swapped: the raw microphone never left');
    assert.match(noiseStatusText(t.control.state) ?? '', /sent as it is/);
  });

  test('a microphone the audio graph refuses (another sample rate): back to the raw track', async () => {
    const t = setup();
    const refusing = new FakeSuppressor();
    refusing.throwOnUse = new Error('NotSupportedError: different sample-rate');
    const done = new NoiseControl(t.call, { enabled: false, load: () => Promise.resolve(refusing) });
    await done.setEnabled(true);
    await settle();
    assert.equal(done.state.status, 'failed');
    assert.equal(t.call.filter, null);
    assert.equal(t.call.sent.at(-1), t.call.microphone);
    assert.equal(refusing.stopped, 1);
  });

  test('the worklet failing while running falls back the same way', async () => {
    const t = setup();
    await t.control.setEnabled(true);
    t.made[0]?.failure?.(new Error('processorerror'));
    await settle();
    assert.equal(t.control.state.status, 'failed');
    assert.equal(t.call.sent.at(-1), t.call.microphone);
    assert.equal(t.made[0]?.stopped, 1);
    // Turning it on again tries a fresh suppressor.
    await t.control.setEnabled(true);
    assert.equal(t.control.state.status, 'on');
    assert.equal(t.call.sent.at(-1), t.made[1]?.track);
  });

  test('a new microphone keeps the suppression: same suppressed track, new input', async () => {
    const t = setup();
    await t.control.setEnabled(true);
    const next = track('usb-mic');
    t.call.switchMicrophone(next);
    assert.equal(t.call.sent.at(-1), t.made[0]?.track);
    assert.deepEqual(t.made[0]?.inputs.at(-1), next);
    assert.equal(t.control.state.status, 'on');
  });

  test('turned off while loading: the late suppressor is stopped and never sent', async () => {
    let finish: (s: Suppressor) => void = () => undefined;
    const late = new FakeSuppressor();
    const t = setup({ load: () => new Promise((resolve) => (finish = resolve)) });
    const on = t.control.setEnabled(true);
    await t.control.setEnabled(false);
    finish(late);
    await on;
    assert.equal(late.stopped, 1);
    assert.ok(!t.call.sent.includes(late.track));
    assert.equal(t.control.state.status, 'off');
  });

  test('the call ending releases the suppressor; later toggles do nothing', async () => {
    const t = setup();
    await t.control.setEnabled(true);
    t.call.phase('left');
    assert.equal(t.made[0]?.stopped, 1);
    const sent = t.call.sent.length;
    await t.control.setEnabled(false);
    await t.control.setEnabled(true);
    assert.equal(t.call.sent.length, sent);
    t.control.dispose();
    assert.equal(t.made[0]?.stopped, 1, 'dispose is idempotent');
  });
});
