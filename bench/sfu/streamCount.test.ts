import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StreamCount } from './streamCount';

test('a complete sequence loses nothing', () => {
  const s = new StreamCount('video');
  for (let seq = 100; seq < 200; seq++) s.add(seq);
  assert.equal(s.received, 100);
  assert.equal(s.lost, 0);
});

test('gaps count as lost, across the 16-bit wrap', () => {
  const s = new StreamCount('video');
  for (let i = 0; i < 20; i++) if (i !== 5 && i !== 12) s.add((0xfff6 + i) & 0xffff);
  assert.equal(s.received, 18);
  assert.equal(s.lost, 2);
});

test('a late packet (reordered or retransmitted) fills its gap', () => {
  const s = new StreamCount('audio');
  [1, 2, 4, 5, 3, 6].forEach((seq) => s.add(seq));
  assert.equal(s.lost, 0);
  assert.equal(s.received, 6);
});

test('a window counts only what came after its mark', () => {
  const s = new StreamCount('video');
  for (let seq = 0; seq < 10; seq++) if (seq !== 3) s.add(seq);
  s.mark();
  assert.equal(s.received, 0);
  assert.equal(s.lost, 0);
  for (let seq = 10; seq < 20; seq++) if (seq !== 15) s.add(seq);
  assert.equal(s.received, 9);
  assert.equal(s.lost, 1);
});
