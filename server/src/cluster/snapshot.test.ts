import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Participant } from '@parley/protocol';
import { AccessControl } from '../access/AccessControl';
import type { AccessPeer } from '../access/RoomAccess';
import { createLogger } from '../logger';
import { RoomRegistry } from '../RoomRegistry';
import { RoomSnapshots, type RoomSnapshot } from './snapshot';

/** One server's rooms and access control, as a cluster member has them. */
function server(): { rooms: RoomRegistry; access: AccessControl; snapshots: RoomSnapshots } {
  const rooms = new RoomRegistry(4);
  const access = new AccessControl(rooms, { accessSecret: null, banMs: 60_000, log: createLogger('silent') });
  const snapshots = new RoomSnapshots({ rooms, access, sfuRoom: () => null, roomMax: 50 });
  rooms.hooks = { created: (room) => snapshots.created(room), released: () => undefined };
  return { rooms, access, snapshots };
}

function peer(id: string): AccessPeer {
  return { id, banKeys: [id], address: '198.18.0.1', mayHost: true, send: () => undefined, kick: () => undefined };
}

function member(id: string, name: string): { participant: Participant; send(): void; evict(): void } {
  return { participant: { id, name, media: { audio: true, video: true }, joinedAt: 1 }, send() {}, evict() {} };
}

test('a room taken over from its snapshot keeps lock, password, lobby, bans, chat and its returning host', () => {
  const a = server();
  const room = a.rooms.getOrCreate('r');
  room.add(member('host', 'Ada'));
  room.add(member('guest', 'Grace'));
  const acc = a.access.of(room);
  acc.add(peer('host'), false);
  acc.add(peer('guest'), false);
  acc.locked = true;
  acc.lobby = true;
  acc.passwordHash = 'scrypt$hash';
  a.access.bans.ban('r', ['client:mallory'], 60_000);
  room.chat.add({ id: 'm1', from: 'guest', fromName: 'Grace', text: 'hello', at: 5 });
  room.chat.add({ id: 'm2', from: 'host', fromName: 'Ada', text: 'private', at: 6, to: 'guest' });

  // Through JSON, as Redis carries it.
  const snap = JSON.parse(JSON.stringify(a.snapshots.snapshot('r'))) as RoomSnapshot;
  assert.equal(snap.hostId, 'host');

  const b = server();
  b.snapshots.restore('r', snap);
  const taken = b.rooms.getOrCreate('r');
  const bAcc = b.access.of(taken);
  assert.equal(bAcc.locked, true);
  assert.equal(bAcc.lobby, true);
  assert.equal(bAcc.passwordHash, 'scrypt$hash');
  assert.ok(b.access.bans.remaining('r', ['client:mallory']) > 50_000, 'the ban runs on');
  assert.deepEqual(
    taken.chat.visibleTo('guest').map((m) => m.text),
    ['hello', 'private'],
  );
  assert.deepEqual(
    taken.chat.visibleTo('someone').map((m) => m.text),
    ['hello'],
    'private messages stay private',
  );
  // A resent message is recognised as the same one.
  const again = taken.chat.add({ id: 'm1', from: 'guest', fromName: 'Grace', text: 'hello', at: 99 });
  assert.equal(again.fresh, false);
  assert.equal(again.message.at, 5);
  // Both members may come back past the gates; a stranger may not.
  assert.equal(b.access.recentlyDropped('r', 'host'), true);
  assert.equal(b.access.recentlyDropped('r', 'guest'), true);
  assert.equal(b.access.recentlyDropped('r', 'stranger'), false);
  // The guest is back first and holds the role; the host gets it back on return.
  bAcc.add(peer('guest'), false);
  assert.equal(bAcc.hostId, 'guest');
  bAcc.add(peer('host'), false);
  assert.equal(bAcc.hostId, 'host');
});

test('a snapshot of an unknown version is refused, not half applied', () => {
  const b = server();
  assert.throws(() => b.snapshots.restore('r', { v: 2, locked: true }), /version/);
  const room = b.rooms.getOrCreate('r');
  assert.equal(b.access.of(room).locked, false);
});

test('a room that moved away makes its members here reconnect', () => {
  const a = server();
  const room = a.rooms.getOrCreate('r');
  const cut: string[] = [];
  room.add({ ...member('x', 'X'), reconnect: () => cut.push('x') });
  room.add({ ...member('y', 'Y'), reconnect: () => cut.push('y') });
  a.snapshots.lost('r');
  assert.deepEqual(cut.sort(), ['x', 'y']);
});

test('raised hands keep their order and the spotlight stays when the room moves to another server', () => {
  const a = server();
  const room = a.rooms.getOrCreate('m');
  for (const [id, name] of [
    ['host', 'Ada'],
    ['g1', 'Grace'],
    ['g2', 'Linus'],
  ] as const) {
    room.add(member(id, name));
    a.access.of(room).add(peer(id), false);
  }
  room.meeting.raise('g2');
  room.meeting.raise('host');
  room.meeting.raise('g1');
  room.meeting.setSpotlight('g1');

  const snap = JSON.parse(JSON.stringify(a.snapshots.snapshot('m'))) as RoomSnapshot;
  assert.deepEqual(snap.meeting, { hands: ['g2', 'host', 'g1'], spotlight: 'g1' });

  const b = server();
  b.snapshots.restore('m', snap);
  const taken = b.rooms.getOrCreate('m');
  // Nobody is back yet: members see nothing of those not present.
  assert.deepEqual(
    taken.meeting.view((id) => taken.has(id)),
    { hands: [], spotlight: null },
  );
  taken.add(member('g1', 'Grace'));
  taken.add(member('g2', 'Linus'));
  assert.deepEqual(
    taken.meeting.view((id) => taken.has(id)),
    { hands: ['g2', 'g1'], spotlight: 'g1' },
  );
  taken.add(member('host', 'Ada'));
  assert.deepEqual(taken.meeting.view((id) => taken.has(id)).hands, ['g2', 'host', 'g1'], 'the queue order holds');
});

test('a snapshot with a malformed meeting part starts without it, the rest intact', () => {
  const b = server();
  b.snapshots.restore('x', {
    v: 1,
    topology: 'mesh',
    capacity: 4,
    hostId: null,
    locked: true,
    lobby: false,
    passwordHash: null,
    bans: [],
    chat: { history: [], seen: [] },
    members: [],
    meeting: { hands: [5, null, 'ok'], spotlight: 7 },
  });
  const room = b.rooms.getOrCreate('x');
  assert.equal(b.access.of(room).locked, true);
  room.add(member('ok', 'Ok'));
  assert.deepEqual(
    room.meeting.view((id) => room.has(id)),
    { hands: ['ok'], spotlight: null },
  );
});

test('a room taken over from its snapshot keeps who records and its recording setting', () => {
  const a = server();
  const room = a.rooms.getOrCreate('r');
  room.add(member('host', 'Ada'));
  room.add(member('guest', 'Grace'));
  room.recording.start('guest', 'Grace');
  room.recording.hostOnly = true;

  const snap = JSON.parse(JSON.stringify(a.snapshots.snapshot('r'))) as RoomSnapshot;
  assert.deepEqual(
    snap.recording?.recorders.map((r) => r.id),
    ['guest'],
  );

  const b = server();
  b.snapshots.restore('r', snap);
  const taken = b.rooms.getOrCreate('r');
  assert.equal(taken.recording.hostOnly, true);
  assert.deepEqual(
    taken.recording.state().recorders.map((r) => [r.id, r.name]),
    [['guest', 'Grace']],
    'a newcomer to the taken-over room still sees who records',
  );
});

test('malformed recording state in a snapshot is skipped: nobody is shown recording', () => {
  const b = server();
  b.snapshots.restore('r', {
    v: 1,
    topology: 'mesh',
    capacity: 4,
    hostId: null,
    locked: false,
    lobby: false,
    passwordHash: null,
    bans: [],
    chat: { history: [], seen: [] },
    members: [],
    recording: { hostOnly: 'yes', recorders: [{ id: 7 }, null] },
  });
  const taken = b.rooms.getOrCreate('r');
  assert.deepEqual(taken.recording.state(), { hostOnly: false, recorders: [] }, 'malformed entries are skipped');
});
