import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RoomRecording } from './RoomRecording';

test('RoomRecording: start and stop change the state once; repeats change nothing', () => {
  let now = 1_000;
  const rec = new RoomRecording(10, () => now);
  assert.equal(rec.start('a', 'Ada'), true);
  now = 2_000;
  assert.equal(rec.start('a', 'Ada'), false);
  assert.equal(rec.start('b', 'Bob'), true);
  assert.deepEqual(rec.state(), {
    hostOnly: false,
    recorders: [
      { id: 'a', name: 'Ada', since: 1_000 },
      { id: 'b', name: 'Bob', since: 2_000 },
    ],
  });
  assert.equal(rec.stop('a'), true);
  assert.equal(rec.stop('a'), false);
  assert.equal(rec.active, true);
  assert.equal(
    rec.stopAllBut(() => false),
    true,
  );
  assert.equal(rec.active, false);
});

test('RoomRecording: starts and stops per participant are limited per minute', () => {
  let now = 0;
  const rec = new RoomRecording(3, () => now);
  assert.equal(rec.allow('a'), true);
  assert.equal(rec.allow('a'), true);
  assert.equal(rec.allow('a'), true);
  assert.equal(rec.allow('a'), false);
  assert.equal(rec.allow('b'), true, 'each participant has its own budget');
  now = 60_000;
  assert.equal(rec.allow('a'), true, 'a new minute');
});

test('RoomRecording: the state handed out is a copy', () => {
  const rec = new RoomRecording();
  rec.start('a', 'Ada');
  const s = rec.state();
  s.recorders[0]!.name = 'Mallory';
  s.recorders.pop();
  assert.equal(rec.state().recorders[0]?.name, 'Ada');
});
