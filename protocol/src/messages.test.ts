import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TRACKS_MAX, parseClientEvent } from './messages';
import { seedDataSchema, seedJoinSchema } from './seed';

const sdp = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n';

function refused(event: string, payload: unknown): string {
  const r = parseClientEvent(event, payload);
  assert.equal(r.ok, false, `${event} ${JSON.stringify(payload)?.slice(0, 80)} should be refused`);
  return r.ok ? '' : r.error;
}

describe('join', () => {
  test('accepts a room and a name, and normalizes the name', () => {
    const r = parseClientEvent('join', { room: 'team-standup_1', name: '  Ada \u0000 Lovelace\u202e  ' });
    assert.ok(r.ok);
    assert.equal(r.value.event, 'join');
    if (r.value.event === 'join') assert.equal(r.value.payload.name, 'Ada Lovelace');
  });
  test('accepts media state and resume', () => {
    const r = parseClientEvent('join', {
      room: 'r',
      name: 'n',
      media: { audio: false, video: true },
      resume: { participantId: 'abc', token: 'xyz' },
    });
    assert.ok(r.ok);
  });
  test('refuses bad rooms', () => {
    for (const room of ['', 'has space', 'slash/room', 'x'.repeat(65), 'émoji', 42, null, undefined]) {
      assert.equal(refused('join', { room, name: 'n' }), 'invalid-message');
    }
  });
  test('refuses bad names', () => {
    for (const name of ['', '   ', '\u0000\u0001', 'x'.repeat(41), 'y'.repeat(1000), 7, { a: 1 }]) {
      assert.equal(refused('join', { room: 'r', name }), 'invalid-message');
    }
  });
  test('refuses unknown fields, non-objects and bad nested values', () => {
    assert.equal(refused('join', { room: 'r', name: 'n', admin: true }), 'invalid-message');
    assert.equal(refused('join', 'room'), 'invalid-message');
    assert.equal(refused('join', null), 'invalid-message');
    assert.equal(refused('join', [1, 2]), 'invalid-message');
    assert.equal(refused('join', { room: 'r', name: 'n', media: { audio: 'yes', video: true } }), 'invalid-message');
    assert.equal(
      refused('join', { room: 'r', name: 'n', resume: { participantId: '', token: 't' } }),
      'invalid-message',
    );
  });
});

describe('signal', () => {
  test('accepts descriptions and candidates, including end-of-candidates', () => {
    assert.ok(
      parseClientEvent('signal', { to: 'p1', data: { kind: 'description', description: { type: 'offer', sdp } } }).ok,
    );
    assert.ok(
      parseClientEvent('signal', { to: 'p1', data: { kind: 'description', description: { type: 'answer', sdp } } }).ok,
    );
    assert.ok(
      parseClientEvent('signal', {
        to: 'p1',
        data: {
          kind: 'candidate',
          candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 },
        },
      }).ok,
    );
    assert.ok(parseClientEvent('signal', { to: 'p1', data: { kind: 'candidate', candidate: null } }).ok);
  });
  test('accepts a connection generation and refuses bad ones', () => {
    const offer = { kind: 'description', description: { type: 'offer', sdp } };
    assert.ok(parseClientEvent('signal', { to: 'p1', data: { ...offer, gen: 3 } }).ok);
    assert.ok(parseClientEvent('signal', { to: 'p1', data: { kind: 'candidate', candidate: null, gen: 0 } }).ok);
    for (const gen of [-1, 1.5, '2', 2 ** 31, null]) {
      assert.equal(refused('signal', { to: 'p1', data: { ...offer, gen } }), 'invalid-message');
    }
  });
  test('a description may carry the role of each track it sends, by mid; bad ones are refused', () => {
    const offer = { kind: 'description', description: { type: 'offer', sdp } };
    const tracks = [
      { mid: '0', participant: 'p0', role: 'microphone' },
      { mid: '1', participant: 'p0', role: 'camera' },
      { mid: '3', participant: 'p0', role: 'screen' },
      { mid: '4', participant: 'p0', role: 'screen-audio' },
    ];
    assert.ok(parseClientEvent('signal', { to: 'p1', data: { ...offer, tracks } }).ok);
    assert.ok(parseClientEvent('signal', { to: 'p1', data: { ...offer, tracks: [] } }).ok);
    const track = { mid: '0', participant: 'p0', role: 'camera' };
    for (const bad of [
      [{ ...track, role: 'webcam' }],
      [{ ...track, mid: '' }],
      [{ ...track, mid: 'm'.repeat(33) }],
      [{ ...track, participant: '' }],
      [{ ...track, extra: 1 }],
      [{ mid: '0', role: 'camera' }],
      Array.from({ length: TRACKS_MAX + 1 }, (_, i) => ({ ...track, mid: String(i) })),
      'camera',
    ]) {
      assert.equal(refused('signal', { to: 'p1', data: { ...offer, tracks: bad } }), 'invalid-message');
    }
    // Candidates carry no tracks.
    assert.equal(
      refused('signal', { to: 'p1', data: { kind: 'candidate', candidate: null, tracks } }),
      'invalid-message',
    );
  });
  test('refuses oversized SDP and candidates, bad types, missing target, spoofed sender', () => {
    const cases: unknown[] = [
      { to: 'p1', data: { kind: 'description', description: { type: 'offer', sdp: 'x'.repeat(100_001) } } },
      { to: 'p1', data: { kind: 'description', description: { type: 'pranswer', sdp } } },
      { to: 'p1', data: { kind: 'description', description: { type: 'offer' } } },
      { to: 'p1', data: { kind: 'candidate', candidate: { candidate: 'c'.repeat(2000) } } },
      { to: 'p1', data: { kind: 'bogus' } },
      { to: '', data: { kind: 'candidate', candidate: null } },
      { data: { kind: 'candidate', candidate: null } },
      { to: 'p1', from: 'someone-else', data: { kind: 'candidate', candidate: null } },
      { to: 'x'.repeat(65), data: { kind: 'candidate', candidate: null } },
    ];
    for (const c of cases) assert.equal(refused('signal', c), 'invalid-message');
  });
});

describe('other events', () => {
  test('media-state needs both booleans', () => {
    assert.ok(parseClientEvent('media-state', { audio: true, video: false }).ok);
    assert.equal(refused('media-state', { audio: true }), 'invalid-message');
  });
  test('leave takes an empty object', () => {
    assert.ok(parseClientEvent('leave', {}).ok);
    assert.equal(refused('leave', { now: true }), 'invalid-message');
  });
  test('check takes an empty object, or a room and an invitation token', () => {
    assert.ok(parseClientEvent('check', {}).ok);
    assert.ok(parseClientEvent('check', { room: 'standup', token: 'a.b.c' }).ok);
    assert.equal(refused('check', { room: 'bad room' }), 'invalid-message');
    assert.equal(refused('check', { room: 'r', token: 'x'.repeat(2_049) }), 'invalid-message');
    assert.equal(refused('check', { secret: 'x' }), 'invalid-message');
    assert.equal(refused('check', null), 'invalid-message');
  });
  test('unknown events are refused with their own id, including prototype names', () => {
    assert.equal(refused('hack', {}), 'unknown-event');
    assert.equal(refused('__proto__', {}), 'unknown-event');
    assert.equal(refused('toString', {}), 'unknown-event');
    assert.equal(refused('constructor', {}), 'unknown-event');
  });
});

describe('seed protocol', () => {
  test('join and data payloads as the seed client sends them', () => {
    assert.ok(seedJoinSchema.safeParse({ username: 'alice', room: 'Room 1' }).success);
    const offer = seedDataSchema.safeParse({ username: 'a', room: 'r', data: { type: 'offer', sdp } });
    assert.ok(offer.success);
    const cand = seedDataSchema.safeParse({
      username: 'a',
      room: 'r',
      data: { type: 'candidate', candidate: { candidate: 'candidate:1', sdpMid: '0', sdpMLineIndex: 0 } },
    });
    assert.ok(cand.success);
  });
  test('the relayed payload keeps fields the seed client added', () => {
    const r = seedDataSchema.safeParse({ username: 'a', room: 'r', data: { type: 'offer', sdp, extra: 1 } });
    assert.ok(r.success);
    assert.deepEqual(r.data.data, { type: 'offer', sdp, extra: 1 });
  });
  test('refuses malformed seed payloads', () => {
    assert.equal(seedJoinSchema.safeParse({ username: 'a' }).success, false);
    assert.equal(seedJoinSchema.safeParse('room').success, false);
    assert.equal(seedDataSchema.safeParse({ username: 'a', room: 'r', data: { type: 'hello' } }).success, false);
    assert.equal(
      seedDataSchema.safeParse({ username: 'a', room: 'r', data: { type: 'offer', sdp: 'x'.repeat(100_001) } }).success,
      false,
    );
    assert.equal(
      seedDataSchema.safeParse({ username: 'a', room: 'r', data: { type: 'candidate', candidate: 'c'.repeat(5000) } })
        .success,
      false,
    );
  });
});
