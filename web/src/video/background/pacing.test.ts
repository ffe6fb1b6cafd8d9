import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ModelPacer } from './pacing';

/** Feed `frames` camera frames `frameMs` apart, each model run costing `costMs`; count model runs. */
function simulate(p: ModelPacer, frames: number, frameMs: number, costMs: number, start = 0): number {
  let runs = 0;
  let busyUntil = -1;
  let runStart = 0;
  for (let i = 0; i < frames; i++) {
    const now = start + i * frameMs;
    if (busyUntil >= 0 && now >= busyUntil) {
      p.finished(runStart, busyUntil);
      busyUntil = -1;
    }
    if (p.due(now)) {
      p.started(now);
      runStart = now;
      busyUntil = now + costMs;
      runs++;
    }
  }
  return runs;
}

test('a cheap model runs at the top rate, never faster, and the first frame is due', () => {
  const p = new ModelPacer({ maxModelFps: 15 });
  assert.equal(p.due(0), true);
  // 30 fps camera for 10 s, a 5 ms model: about 15 runs per second.
  const runs = simulate(p, 300, 1000 / 30, 5);
  assert.ok(runs >= 140 && runs <= 151, `runs ${runs}`);
  assert.ok(Math.abs(p.modelFps - 15) < 1e-9);
});

test('no second run starts while one is still running', () => {
  const p = new ModelPacer();
  p.started(0);
  assert.equal(p.due(10_000), false, 'busy');
  p.finished(0, 20);
  assert.equal(p.due(10_000), true);
});

test('a slow model is given a lower rate (at most its share of the thread) instead of every frame', () => {
  const p = new ModelPacer({ maxModelFps: 15, minModelFps: 2, share: 0.5 });
  // 120 ms per run: at half the thread that is one run every 240 ms (~4 per second).
  simulate(p, 600, 1000 / 30, 120);
  assert.ok(Math.abs(p.interval - 240) < 5, `interval ${p.interval}`);
  assert.ok(p.modelFps < 4.3 && p.modelFps > 4, `fps ${p.modelFps}`);
});

test('the rate never drops below the floor, and comes back up when the model is fast again', () => {
  const p = new ModelPacer({ maxModelFps: 15, minModelFps: 2, share: 0.5 });
  for (let i = 0; i < 20; i++) {
    p.started(i * 10_000);
    p.finished(i * 10_000, i * 10_000 + 2_000);
  }
  assert.equal(p.interval, 500, 'floor of 2 runs per second');
  for (let i = 0; i < 40; i++) {
    const t = 1_000_000 + i * 1_000;
    p.started(t);
    p.finished(t, t + 4);
  }
  assert.ok(Math.abs(p.interval - 1000 / 15) < 1, `back to the top rate (${p.interval})`);
});

test('bad options are refused', () => {
  assert.throws(() => new ModelPacer({ maxModelFps: 0 }), TypeError);
  assert.throws(() => new ModelPacer({ maxModelFps: 5, minModelFps: 10 }), TypeError);
  assert.throws(() => new ModelPacer({ share: 0 }), TypeError);
  assert.throws(() => new ModelPacer({ share: 1.5 }), TypeError);
});
