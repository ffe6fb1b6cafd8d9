import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Member } from './Room';
import { RoomRegistry } from './RoomRegistry';

function member(id: string, inbox: Array<[string, unknown]> = []): Member {
  return {
    participant: { id, name: id, media: { audio: true, video: true }, joinedAt: 0 },
    send: (event, payload) => inbox.push([event, payload]),
    evict: () => undefined,
  };
}

test('a room keeps members in join order and enforces its capacity', () => {
  const reg = new RoomRegistry(2);
  const room = reg.getOrCreate('r');
  room.add(member('a'));
  room.add(member('b'));
  assert.ok(room.isFull);
  assert.throws(() => room.add(member('c')), /full/);
  assert.throws(() => reg.getOrCreate('r').add(member('a')), /already/);
  assert.deepEqual(
    room.participants().map((p) => p.id),
    ['a', 'b'],
  );
  assert.deepEqual(
    room.participants('a').map((p) => p.id),
    ['b'],
  );
});

test('removal is idempotent and the registry forgets empty rooms', () => {
  const reg = new RoomRegistry(6);
  const room = reg.getOrCreate('r');
  room.add(member('a'));
  assert.equal(reg.roomCount, 1);
  assert.equal(reg.participantCount, 1);
  assert.equal(room.remove('a'), true);
  assert.equal(room.remove('a'), false);
  reg.releaseIfEmpty(room);
  assert.equal(reg.roomCount, 0);
  assert.notEqual(reg.getOrCreate('r'), room, 'a new room object after release');
});

test('broadcast reaches everyone but the excluded member', () => {
  const reg = new RoomRegistry(6);
  const room = reg.getOrCreate('r');
  const inA: Array<[string, unknown]> = [];
  const inB: Array<[string, unknown]> = [];
  room.add(member('a', inA));
  room.add(member('b', inB));
  room.broadcast('hello', { x: 1 }, 'a');
  assert.equal(inA.length, 0);
  assert.deepEqual(inB, [['hello', { x: 1 }]]);
});
