import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VIEWS_MAX, type SfuView } from '@parley/protocol';
import { SFU_VIEW_REPORT_MS } from '../../liveness';
import { TileSizes } from './TileSizes';

/** A clock whose timers run when the test says. */
function manualClock() {
  const timers: Array<() => void> = [];
  return {
    clock: {
      setTimeout: (fn: () => void, ms: number) => {
        assert.equal(ms, SFU_VIEW_REPORT_MS);
        timers.push(fn);
        return timers.length;
      },
      clearTimeout: () => undefined,
      now: () => 0,
    },
    run: () => {
      for (const fn of timers.splice(0)) fn();
    },
  };
}

test('a large room is reported in messages of at most VIEWS_MAX sizes, clamped to what the server takes', () => {
  const { clock, run } = manualClock();
  const sent: Array<SfuView['views']> = [];
  const v = new TileSizes({ clock, send: (views) => sent.push(views) });
  const n = VIEWS_MAX + 5;
  const tracks = Array.from({ length: n }, (_, i) => ({
    participant: `p${i}`,
    role: 'camera' as const,
    track: `p${i}:1`,
  }));
  for (const t of tracks) v.set(t.participant, 'camera', { width: 99_999, height: Number.NaN });
  v.setTracks(tracks);
  run();
  assert.deepEqual(
    sent.map((m) => m.length),
    [VIEWS_MAX, 5],
  );
  assert.deepEqual(sent[0]?.[0], { track: 'p0:1', width: 16_384, height: 0 });
});

test('a participant who left is forgotten; reset tells the server everything again', () => {
  const { clock, run } = manualClock();
  const sent: Array<SfuView['views']> = [];
  const v = new TileSizes({ clock, send: (views) => sent.push(views) });
  v.setTracks([
    { participant: 'a', role: 'camera', track: 'a:1' },
    { participant: 'b', role: 'screen', track: 'b:2' },
  ]);
  v.set('a', 'camera', { width: 10, height: 10 });
  v.set('b', 'screen', { width: 20, height: 20 });
  run();
  assert.equal(sent.at(-1)?.length, 2);
  v.forget('a');
  v.reset();
  run();
  assert.deepEqual(sent.at(-1), [{ track: 'b:2', width: 20, height: 20 }]);
  v.close();
  v.set('b', 'screen', { width: 30, height: 30 });
  run();
  assert.equal(sent.length, 2, 'nothing after close');
});
