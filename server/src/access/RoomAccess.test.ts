import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RoomAccess, type AccessPeer } from './RoomAccess';

function peer(id: string, mayHost = true, inbox: unknown[] = []): AccessPeer {
  return {
    id,
    banKeys: [id],
    address: '127.0.0.1',
    mayHost,
    send: (e, p) => inbox.push([e, p]),
    kick: () => undefined,
  };
}

test('the first eligible peer hosts; on leaving, the longest-present eligible peer takes over', () => {
  const a = new RoomAccess();
  a.add(peer('g', false), false);
  assert.equal(a.hostId, null, 'a guest-only peer does not host');
  a.add(peer('x'), false);
  a.add(peer('y'), false);
  assert.equal(a.hostId, 'x');
  assert.equal(a.remove('y'), false);
  a.add(peer('y'), false);
  assert.equal(a.remove('x'), true);
  assert.equal(a.hostId, 'y');
  a.add(peer('h'), true);
  assert.equal(a.hostId, 'h', 'a host invitation takes the role');
  assert.equal(a.remove('nobody'), false);
});

test('only the host sees the waiting list; the password itself is never in the state', () => {
  const a = new RoomAccess();
  const hostInbox: unknown[] = [];
  const guestInbox: unknown[] = [];
  a.add(peer('h', true, hostInbox), false);
  a.add(peer('g', true, guestInbox), false);
  a.passwordHash = 'scrypt$secret-hash';
  a.waiting.set('w1', {
    id: 'w1',
    name: 'Wanda',
    address: '10.0.0.1',
    since: 5,
    admit: () => undefined,
    deny: () => undefined,
  });
  assert.deepEqual(a.stateFor('h').waiting, [{ id: 'w1', name: 'Wanda', since: 5 }]);
  assert.deepEqual(a.stateFor('g').waiting, []);
  assert.equal(a.stateFor('g').passwordSet, true);
  a.publish();
  assert.doesNotMatch(JSON.stringify([hostInbox, guestInbox]), /secret-hash/);
  a.publishToHost();
  assert.equal(hostInbox.length, 2);
  assert.equal(guestInbox.length, 1);
});
