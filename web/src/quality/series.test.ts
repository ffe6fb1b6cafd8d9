import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LinkFigures } from './linkQuality';
import { appendPoint, chartTop, emptyHistory, polylinePoints, recordFigures, SERIES_WINDOW_MS } from './series';

const figures = (f: Partial<LinkFigures>): LinkFigures => ({
  rttMs: null,
  lossPercent: null,
  fps: null,
  inKbps: null,
  outKbps: null,
  videoCodec: null,
  audioCodec: null,
  resolution: null,
  localCandidate: null,
  remoteCandidate: null,
  protocol: null,
  ...f,
});

test('a series keeps the last minute only, and a sample every 2 s keeps 31 points at most', () => {
  let s = appendPoint([], 0, 1);
  for (let t = 2_000; t <= 180_000; t += 2_000) s = appendPoint(s, t, t / 1000);
  assert.equal(s.length, 31);
  assert.equal(s[0]?.at, 120_000);
  assert.equal(s.at(-1)?.at, 180_000);
  assert.ok(s.every((p) => p.at >= 180_000 - SERIES_WINDOW_MS));
});

test('an unknown figure leaves a gap (no point), never a made-up zero, and still ages the old points out', () => {
  const s = appendPoint([{ at: 0, value: 5 }], 1_000, null);
  assert.deepEqual(s, [{ at: 0, value: 5 }]);
  assert.deepEqual(appendPoint(s, 70_000, null), []);
  assert.deepEqual(appendPoint([], 0, Number.NaN), []);
});

test('recordFigures adds one point to each charted figure that is known', () => {
  let h = recordFigures(emptyHistory(), 1_000, figures({ rttMs: 20, inKbps: 800, lossPercent: 0, fps: null }));
  h = recordFigures(h, 3_000, figures({ rttMs: 24, inKbps: 900, lossPercent: 1.5, fps: 24 }));
  assert.deepEqual(
    h.rttMs.map((p) => p.value),
    [20, 24],
  );
  assert.deepEqual(
    h.inKbps.map((p) => p.value),
    [800, 900],
  );
  assert.deepEqual(
    h.lossPercent.map((p) => p.value),
    [0, 1.5],
  );
  assert.deepEqual(h.fps, [{ at: 3_000, value: 24 }]);
});

test('the y axis tops out at a readable number above the largest value, and at least minTop', () => {
  assert.equal(chartTop([{ at: 0, value: 730 }]), 1000);
  assert.equal(chartTop([{ at: 0, value: 180 }]), 200);
  assert.equal(chartTop([{ at: 0, value: 21 }]), 25);
  assert.equal(chartTop([{ at: 0, value: 0 }], 5), 5);
  assert.equal(chartTop([], 50), 50);
  assert.equal(chartTop([{ at: 0, value: 0.3 }]), 1);
});

test('polyline points: time left to right over the window ending at the latest sample, 0 at the bottom', () => {
  const box = { width: 120, height: 30, windowMs: 60_000, end: 60_000, minTop: 10 };
  const pts = [
    { at: 0, value: 0 },
    { at: 30_000, value: 5 },
    { at: 60_000, value: 10 },
  ];
  assert.equal(polylinePoints(pts, box), '0,30 60,15 120,0');
  // Values above the top are clipped to the top; points outside the window are left out.
  assert.equal(polylinePoints([{ at: -1, value: 3 }, ...pts.slice(2)], { ...box, minTop: 1 }), '120,0');
  assert.equal(polylinePoints([], box), '');
});
