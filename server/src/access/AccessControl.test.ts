import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../logger';
import { RoomRegistry } from '../RoomRegistry';
import { AccessControl, type Admitted, type Joiner } from './AccessControl';

function setup() {
  const rooms = new RoomRegistry(6);
  const access = new AccessControl(rooms, { accessSecret: null, banMs: 1_000, log: createLogger('silent') });
  const room = rooms.getOrCreate('r');
  const member = { id: 'h', name: 'Host', media: { audio: true, video: true }, joinedAt: 0 };
  room.add({ participant: member, send: () => undefined, evict: () => undefined });
  access
    .of(room)
    .add(
      { id: 'h', address: '198.18.0.1', banKeys: [], mayHost: true, send: () => undefined, kick: () => undefined },
      false,
    );
  access.of(room).lobby = true;
  const joiner = (admitted: Admitted | null): Joiner => ({
    resuming: false,
    lobbyId: 'w1',
    address: '198.18.0.2',
    banKeys: ['k'],
    admitted,
    lobbyAnswer: () => undefined,
  });
  return { rooms, access, room, joiner };
}

test('a lobby admission passes the lobby of its own room instance while it is fresh', async () => {
  const { access, room, joiner } = setup();
  const fresh = await access.admit({ room: 'r', name: 'W' }, joiner({ room, until: Date.now() + 10_000 }));
  assert.equal(fresh.ok, true);
  const stale = await access.admit({ room: 'r', name: 'W' }, joiner({ room, until: Date.now() - 1 }));
  assert.deepEqual(stale, { ok: false, error: 'in-lobby' }, 'an admission kept too long waits again');
});

test('an admission to another instance of the same name counts for nothing', async () => {
  const { access, joiner } = setup();
  const other = new RoomRegistry(6).getOrCreate('r');
  const r = await access.admit({ room: 'r', name: 'W' }, joiner({ room: other, until: Date.now() + 10_000 }));
  assert.deepEqual(r, { ok: false, error: 'in-lobby' });
});
