import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REDIS_MESSAGES, routeOf, spreadRooms } from './routes';

test("a room's members go round-robin over the servers, each room starting one server further", () => {
  const rooms = spreadRooms(
    [
      { name: 'a', size: 4 },
      { name: 'b', size: 4 },
      { name: 'c', size: 4 },
    ],
    3,
  );
  assert.deepEqual(
    rooms.map((r) => r.servers),
    [
      [0, 1, 2, 0],
      [1, 2, 0, 1],
      [2, 0, 1, 2],
    ],
  );
  // Every server gets the same share of members over the three rooms.
  const perServer = [0, 0, 0];
  for (const r of rooms) for (const s of r.servers ?? []) perServer[s] = (perServer[s] ?? 0) + 1;
  assert.deepEqual(perServer, [4, 4, 4]);
});

test('one server holds every member', () => {
  assert.deepEqual(spreadRooms([{ name: 'a', size: 3 }], 1)[0]?.servers, [0, 0, 0]);
});

test("a signal's route counts the Redis hops through the room's home", () => {
  assert.equal(routeOf(1, 1, 1), 'same server, home');
  assert.equal(routeOf(0, 0, 1), 'same server, not home');
  assert.equal(routeOf(1, 2, 1), 'different servers, one home');
  assert.equal(routeOf(2, 1, 1), 'different servers, one home');
  assert.equal(routeOf(0, 2, 1), 'different servers, neither home');
});

test('a signal crosses Redis once for each server it changes on its way sender -> home -> receiver', () => {
  const home = 1;
  for (const from of [0, 1, 2]) {
    for (const to of [0, 1, 2]) {
      const hops = Number(from !== home) + Number(home !== to);
      assert.equal(REDIS_MESSAGES[routeOf(from, to, home)], hops, `${from} -> ${to} (home ${home})`);
    }
  }
});
