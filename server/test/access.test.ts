import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { JoinReply, OkReply, RoomState, SignalData } from '@parley/protocol';
import pino from 'pino';
import { mintInvitation } from '../src/access/invitations';
import type { ParleyServer } from '../src/ParleyServer';
import { DISCONNECT_GRACE_MS } from '../src/liveness';
import { closeAllSockets, collect, connect, join, next, request, sleep, startTestServer } from './support';

let server: ParleyServer;
let url: string;

before(async () => {
  ({ server, url } = await startTestServer({ banSeconds: 1 }));
});
afterEach(() => closeAllSockets());
after(() => server.close());

const offer: SignalData = { kind: 'description', description: { type: 'offer', sdp: 'v=0\r\n' } };

async function refusal(reply: Promise<JoinReply | OkReply>): Promise<string> {
  const r = await reply;
  assert.equal(r.ok, false, `expected a refusal, got ${JSON.stringify(r).slice(0, 120)}`);
  return r.ok ? '' : r.error;
}

describe('host role', () => {
  test('the first participant is host; the role passes to the longest-present one and can be handed over', async () => {
    const [a, b, c] = await Promise.all([connect(url), connect(url), connect(url)]);
    const ja = await join(a, { room: 'host-1', name: 'A' });
    assert.equal(ja.roomState.hostId, ja.self.id);
    const jb = await join(b, { room: 'host-1', name: 'B' });
    assert.equal(jb.roomState.hostId, ja.self.id);
    const jc = await join(c, { room: 'host-1', name: 'C' });
    const atB = next<RoomState>(b, 'room-state');
    const atC1 = next<RoomState>(c, 'room-state');
    a.disconnect();
    assert.equal((await atB).hostId, jb.self.id, 'B joined before C, so B is host');
    assert.equal((await atC1).hostId, jb.self.id);
    const atC = next<RoomState>(c, 'room-state');
    assert.deepEqual(await request(b, 'host-transfer', { id: jc.self.id }), { ok: true });
    assert.equal((await atC).hostId, jc.self.id);
    assert.equal(await refusal(request(b, 'room-lock', { locked: true })), 'not-host');
  });

  test('a non-host cannot lock, set a password, remove, mute, end, transfer or answer the lobby', async () => {
    const [a, b] = await Promise.all([connect(url), connect(url)]);
    const ja = await join(a, { room: 'host-2', name: 'A' });
    await join(b, { room: 'host-2', name: 'B' });
    const muted = collect(a, 'mute-request');
    const removed = collect(a, 'removed');
    const attempts: Array<[string, unknown]> = [
      ['room-lock', { locked: true }],
      ['room-password', { password: 'secret' }],
      ['room-lobby', { enabled: true }],
      ['participant-remove', { id: ja.self.id }],
      ['participant-mute', { id: ja.self.id }],
      ['participant-mute', {}],
      ['room-end', {}],
      ['host-transfer', { id: ja.self.id }],
      ['lobby-admit', { id: 'someone' }],
      ['lobby-deny', { id: 'someone' }],
    ];
    for (const [event, payload] of attempts) assert.equal(await refusal(request(b, event, payload)), 'not-host', event);
    await sleep(50);
    assert.equal(muted.length + removed.length, 0);
    assert.equal(server.rooms.get('host-2')?.size, 2);
    const outsider = await connect(url);
    assert.equal(await refusal(request(outsider, 'room-lock', { locked: true })), 'not-joined');
  });
});

describe('room gates', () => {
  test('a locked room refuses newcomers; unlocking lets them in', async () => {
    const [a, b] = await Promise.all([connect(url), connect(url)]);
    await join(a, { room: 'lock-1', name: 'A' });
    const state = next<RoomState>(a, 'room-state');
    assert.deepEqual(await request(a, 'room-lock', { locked: true }), { ok: true });
    assert.equal((await state).locked, true);
    assert.equal(await refusal(request(b, 'join', { room: 'lock-1', name: 'B' })), 'room-locked');
    await request(a, 'room-lock', { locked: false });
    await join(b, { room: 'lock-1', name: 'B' });
  });

  test('a room password is asked for, a wrong one refused, the right one accepted; the hash never leaves the server', async () => {
    const [a, b] = await Promise.all([connect(url), connect(url)]);
    await join(a, { room: 'pw-1', name: 'A' });
    const state = next<RoomState>(a, 'room-state');
    assert.deepEqual(await request(a, 'room-password', { password: 'open sesame' }), { ok: true });
    const s = await state;
    assert.equal(s.passwordSet, true);
    assert.doesNotMatch(JSON.stringify(s), /sesame|scrypt/);
    assert.equal(await refusal(request(b, 'join', { room: 'pw-1', name: 'B' })), 'password-required');
    assert.equal(
      await refusal(request(b, 'join', { room: 'pw-1', name: 'B', password: 'open sesam' })),
      'wrong-password',
    );
    const jb = await join(b, { room: 'pw-1', name: 'B', password: 'open sesame' });
    assert.equal(jb.roomState.passwordSet, true);
    assert.doesNotMatch(JSON.stringify(jb), /sesame|scrypt/);
    // Clearing the password opens the room again.
    await request(a, 'room-password', { password: null });
    const c = await connect(url);
    await join(c, { room: 'pw-1', name: 'C' });
  });

  test('a participant whose connection dropped resumes past the lock; a stranger with its id does not', async () => {
    const [a, b] = await Promise.all([connect(url), connect(url)]);
    await join(a, { room: 'drop-1', name: 'A' });
    const jb = await join(b, { room: 'drop-1', name: 'B' });
    await request(a, 'room-lock', { locked: true });
    // A dropped transport is announced once the seat's grace has run out.
    const left = next<{ reason: string }>(a, 'participant-left', DISCONNECT_GRACE_MS + 2_000);
    b.io.engine.close(); // the network drops: the server sees a transport close, not a leave
    assert.equal((await left).reason, 'disconnected');
    const thief = await connect(url);
    const stolen = request<JoinReply>(thief, 'join', {
      room: 'drop-1',
      name: 'T',
      resume: { participantId: jb.self.id, token: 'guess' },
    });
    assert.equal(await refusal(stolen), 'room-locked');
    const b2 = await connect(url);
    const again = await join(b2, {
      room: 'drop-1',
      name: 'B',
      resume: { participantId: jb.self.id, token: jb.resumeToken },
    });
    assert.equal(again.self.id, jb.self.id);
  });

  test('a removed participant is told, leaves the room and cannot rejoin within the ban window', async () => {
    const [a, b, c] = await Promise.all([connect(url), connect(url), connect(url)]);
    await join(a, { room: 'ban-1', name: 'A' });
    const jb = await join(b, { room: 'ban-1', name: 'B' });
    await join(c, { room: 'ban-1', name: 'C' });
    const told = next<{ reason: string; banSeconds: number }>(b, 'removed');
    const left = next<{ id: string; reason: string }>(c, 'participant-left');
    assert.deepEqual(await request(a, 'participant-remove', { id: jb.self.id }), { ok: true });
    assert.deepEqual(await told, { reason: 'removed', banSeconds: 1 });
    assert.deepEqual(await left, { id: jb.self.id, reason: 'removed' });
    assert.equal(server.rooms.get('ban-1')?.size, 2);
    // Removed: no more signalling into the room, no rejoin (same connection, a new one, or resuming the id).
    assert.equal(await refusal(request(b, 'signal', { to: 'x', data: offer })), 'not-joined');
    assert.equal(await refusal(request(b, 'join', { room: 'ban-1', name: 'B' })), 'banned');
    const b2 = await connect(url);
    const again = request<JoinReply>(b2, 'join', {
      room: 'ban-1',
      name: 'B',
      resume: { participantId: jb.self.id, token: jb.resumeToken },
    });
    assert.equal(await refusal(again), 'banned');
    // Other rooms are not affected, and after the window the ban is over.
    await join(b2, { room: 'ban-1-elsewhere', name: 'B' });
    await sleep(1_100);
    await join(b, { room: 'ban-1', name: 'B' });
  });

  test('ask to mute reaches one participant or everyone but the host', async () => {
    const [a, b, c] = await Promise.all([connect(url), connect(url), connect(url)]);
    const ja = await join(a, { room: 'mute-1', name: 'A' });
    const jb = await join(b, { room: 'mute-1', name: 'B' });
    await join(c, { room: 'mute-1', name: 'C' });
    const atA = collect(a, 'mute-request');
    const atC = collect(c, 'mute-request');
    const atB = next(b, 'mute-request');
    await request(a, 'participant-mute', { id: jb.self.id });
    assert.deepEqual(await atB, { by: ja.self.id });
    await sleep(50);
    assert.equal(atC.length, 0);
    const all = [next(b, 'mute-request'), next(c, 'mute-request')];
    await request(a, 'participant-mute', {});
    await Promise.all(all);
    assert.equal(atA.length, 0, 'the host does not mute itself');
  });

  test('end for all removes everyone, then the room is gone', async () => {
    const [a, b] = await Promise.all([connect(url), connect(url)]);
    await join(a, { room: 'end-1', name: 'A' });
    await join(b, { room: 'end-1', name: 'B' });
    const ends = [next<{ reason: string }>(a, 'removed'), next<{ reason: string }>(b, 'removed')];
    assert.deepEqual(await request(a, 'room-end', {}), { ok: true });
    assert.deepEqual(
      (await Promise.all(ends)).map((e) => e.reason),
      ['ended', 'ended'],
    );
    assert.equal(server.rooms.get('end-1'), undefined);
    // Ending is not a ban: the room can be used again.
    await join(b, { room: 'end-1', name: 'B' });
  });

  test('with the lobby on, newcomers wait until the host admits or denies them', async () => {
    const [host, guest, other] = await Promise.all([connect(url), connect(url), connect(url)]);
    await join(host, { room: 'lobby-1', name: 'Host' });
    await request(host, 'room-lobby', { enabled: true });
    const waitingShown = next<RoomState>(host, 'room-state');
    assert.equal(await refusal(request(guest, 'join', { room: 'lobby-1', name: 'Guest' })), 'in-lobby');
    const st = await waitingShown;
    assert.deepEqual(
      st.waiting.map((w) => w.name),
      ['Guest'],
    );
    const admitted = next(guest, 'lobby-admitted');
    assert.deepEqual(await request(host, 'lobby-admit', { id: st.waiting[0]!.id }), { ok: true });
    await admitted;
    const jg = await join(guest, { room: 'lobby-1', name: 'Guest' });
    assert.equal(jg.participants.length, 1);
    assert.deepEqual(jg.roomState.waiting, [], 'only the host sees the waiting list');

    const shown2 = next<RoomState>(host, 'room-state');
    assert.equal(await refusal(request(other, 'join', { room: 'lobby-1', name: 'Other' })), 'in-lobby');
    const id = (await shown2).waiting[0]!.id;
    const denied = next(other, 'lobby-denied');
    await request(host, 'lobby-deny', { id });
    await denied;
    assert.equal(await refusal(request(other, 'join', { room: 'lobby-1', name: 'Other' })), 'in-lobby');
    // A waiting connection that goes away leaves the list.
    const gone = next<RoomState>(host, 'room-state');
    other.disconnect();
    assert.deepEqual((await gone).waiting, []);
  });

  /** `guest` waits in `room`'s lobby (kept by `host`) and is admitted; returns once told. */
  async function admitFromLobby(host: Awaited<ReturnType<typeof connect>>, guest: typeof host, room: string) {
    const shown = next<RoomState>(host, 'room-state');
    assert.equal(await refusal(request(guest, 'join', { room, name: 'Guest' })), 'in-lobby');
    const admitted = next(guest, 'lobby-admitted');
    await request(host, 'lobby-admit', { id: (await shown).waiting[0]!.id });
    await admitted;
  }

  test('an admission does not outlive a later lock or password', async () => {
    const [host, guest, g2] = await Promise.all([connect(url), connect(url), connect(url)]);
    await join(host, { room: 'lobby-2', name: 'Host' });
    await request(host, 'room-lobby', { enabled: true });
    await admitFromLobby(host, guest, 'lobby-2');
    await request(host, 'room-lock', { locked: true });
    assert.equal(await refusal(request(guest, 'join', { room: 'lobby-2', name: 'Guest' })), 'room-locked');
    await request(host, 'room-lock', { locked: false });
    await admitFromLobby(host, g2, 'lobby-2');
    await request(host, 'room-password', { password: 'later' });
    assert.equal(await refusal(request(g2, 'join', { room: 'lobby-2', name: 'Guest' })), 'password-required');
    assert.ok(
      (await join(g2, { room: 'lobby-2', name: 'Guest', password: 'later' })).ok,
      'the lobby is not asked again',
    );
  });

  test('an admission belongs to one room instance: kept past the room emptying, it opens nothing', async () => {
    const [host, waiter, host2] = await Promise.all([connect(url), connect(url), connect(url)]);
    await join(host, { room: 'lobby-3', name: 'Host' });
    await request(host, 'room-lobby', { enabled: true });
    const shown = next<RoomState>(host, 'room-state');
    assert.equal(await refusal(request(waiter, 'join', { room: 'lobby-3', name: 'W' })), 'in-lobby');
    await shown;
    // The host leaves: the room empties and everyone waiting is told to try again.
    const told = next(waiter, 'lobby-admitted');
    host.disconnect();
    await told;
    // The waiter keeps that for later. Meanwhile a new call opens under the same name, locked.
    await join(host2, { room: 'lobby-3', name: 'Host 2' });
    await request(host2, 'room-lock', { locked: true });
    assert.equal(await refusal(request(waiter, 'join', { room: 'lobby-3', name: 'W' })), 'room-locked');
    await request(host2, 'room-lock', { locked: false });
    await request(host2, 'room-lobby', { enabled: true });
    assert.equal(await refusal(request(waiter, 'join', { room: 'lobby-3', name: 'W' })), 'in-lobby');
  });
});

describe('protocol integrity', () => {
  test('a signal to a participant in another room is refused and never delivered', async () => {
    const [a, b] = await Promise.all([connect(url), connect(url)]);
    await join(a, { room: 'cross-1', name: 'A' });
    const jb = await join(b, { room: 'cross-2', name: 'B' });
    const atB = collect(b, 'signal');
    assert.equal(await refusal(request(a, 'signal', { to: jb.self.id, data: offer })), 'unknown-participant');
    await sleep(50);
    assert.equal(atB.length, 0);
  });

  test('spoofed sender fields are refused; relayed signals carry the server-made sender id', async () => {
    const [a, b] = await Promise.all([connect(url), connect(url)]);
    const ja = await join(a, { room: 'spoof-1', name: 'A' });
    const jb = await join(b, { room: 'spoof-1', name: 'B' });
    assert.equal(
      await refusal(request(a, 'signal', { to: jb.self.id, from: jb.self.id, data: offer })),
      'invalid-message',
    );
    const got = next<{ from: string }>(b, 'signal');
    await request(a, 'signal', { to: jb.self.id, data: offer });
    assert.equal((await got).from, ja.self.id);
    // Names are cleaned by the server, whatever the client sent.
    const c = await connect(url);
    const joined = next<{ participant: { name: string } }>(a, 'participant-joined');
    await join(c, { room: 'spoof-1', name: '\u202eEve\u0000 \u200b ' });
    assert.equal((await joined).participant.name, 'Eve');
  });
});

describe('rate limits', () => {
  test('a flooding connection gets rate-limited, then is disconnected; others keep working', async () => {
    const { server: s2, url: u2 } = await startTestServer({
      rateMessagesPerSecond: 10,
      rateMessagesBurst: 20,
      rateDisconnectAfter: 50,
    });
    try {
      const [flood, calm] = await Promise.all([connect(u2), connect(u2)]);
      await join(calm, { room: 'calm', name: 'Calm' });
      const errors = collect<{ error: string }>(flood, 'protocol-error');
      const closed = next(flood, 'disconnect', 5_000);
      for (let i = 0; i < 200; i++) flood.emit('media-state', { audio: true, video: true });
      await closed;
      assert.ok(
        errors.some((e) => e.error === 'rate-limited'),
        'told before being disconnected',
      );
      assert.deepEqual(await request(calm, 'media-state', { audio: false, video: true }), { ok: true });
    } finally {
      await s2.close();
    }
  });

  test('joins and connections per minute per address are limited', async () => {
    const { server: s2, url: u2 } = await startTestServer({
      rateJoinsPerMinute: 3,
      rateConnectionsPerMinute: 4,
      rateAddressJoinsPerMinute: 3,
      rateAddressConnectionsPerMinute: 4,
    });
    try {
      const a = await connect(u2);
      for (let i = 0; i < 3; i++) {
        await join(a, { room: `j-${i}`, name: 'A' });
        await request(a, 'leave', {});
      }
      assert.equal(await refusal(request(a, 'join', { room: 'j-3', name: 'A' })), 'rate-limited');
      await Promise.all([connect(u2), connect(u2), connect(u2)]);
      // The fifth connection in the minute is refused at the handshake, with the reason.
      const res = await fetch(`${u2}/socket.io/?EIO=4&transport=polling`);
      assert.equal(res.status, 403);
      assert.match(await res.text(), /too many connections/);
      await assert.rejects(connect(u2));
    } finally {
      await s2.close();
    }
  });
});

describe('invitations', () => {
  const secret = 'x'.repeat(40);
  let s2: ParleyServer;
  let u2: string;
  before(async () => {
    ({ server: s2, url: u2 } = await startTestServer({ accessSecret: secret }));
  });
  after(() => s2.close());

  test('joining needs a valid, unexpired token for the same room', async () => {
    const a = await connect(u2);
    assert.equal(await refusal(request(a, 'join', { room: 'inv-1', name: 'A' })), 'token-required');
    const expired = mintInvitation({ room: 'inv-1', ttlSeconds: 60 }, secret, Date.now() - 3_600_000);
    assert.equal(await refusal(request(a, 'join', { room: 'inv-1', name: 'A', token: expired })), 'token-expired');
    const other = mintInvitation({ room: 'inv-2', ttlSeconds: 60 }, secret);
    assert.equal(await refusal(request(a, 'join', { room: 'inv-1', name: 'A', token: other })), 'token-wrong-room');
    const forged = mintInvitation({ room: 'inv-1', ttlSeconds: 60 }, 'y'.repeat(40));
    assert.equal(await refusal(request(a, 'join', { room: 'inv-1', name: 'A', token: forged })), 'token-invalid');
    assert.equal(await refusal(request(a, 'join', { room: 'inv-1', name: 'A', token: 'a.b.c' })), 'token-invalid');
    const good = mintInvitation({ room: 'inv-1', ttlSeconds: 60, name: 'Invited Ada' }, secret);
    const ok = await join(a, { room: 'inv-1', name: 'whatever', token: good });
    assert.equal(ok.self.name, 'Invited Ada', 'the name in the invitation wins');
  });

  test('a host invitation makes its holder host and passes the lock; a guest token never hosts', async () => {
    const [g1, h] = await Promise.all([connect(u2), connect(u2)]);
    const guest = mintInvitation({ room: 'inv-3', ttlSeconds: 60, role: 'guest' }, secret);
    const jg = await join(g1, { room: 'inv-3', name: 'G', token: guest });
    assert.equal(jg.roomState.hostId, null, 'a guest-only room has no host');
    assert.equal(await refusal(request(g1, 'room-lock', { locked: true })), 'not-host');
    const host = mintInvitation({ room: 'inv-3', ttlSeconds: 60, role: 'host' }, secret);
    const jh = await join(h, { room: 'inv-3', name: 'H', token: host });
    assert.equal(jh.roomState.hostId, jh.self.id);
    // Nor can a host hand the role to a guest: the invitation is the operator's word.
    assert.equal(await refusal(request(h, 'host-transfer', { id: jg.self.id })), 'cannot-host');
    assert.equal(s2.access.of(s2.rooms.get('inv-3')!).hostId, jh.self.id, 'the host role did not move');
  });

  test('an invitation beyond INVITE_MAX_TTL or with a name past the limits is refused', async () => {
    const a = await connect(u2);
    const century = mintInvitation({ room: 'inv-4', ttlSeconds: 100 * 365 * 86_400 }, secret);
    const r = await request<JoinReply>(a, 'join', { room: 'inv-4', name: 'A', token: century });
    assert.equal(!r.ok && r.error, 'token-invalid');
    assert.match((!r.ok && r.message) || '', /at most 30 days/);
    const longName = mintInvitation({ room: 'inv-4', ttlSeconds: 60, name: 'N'.repeat(160) }, secret);
    assert.equal(await refusal(request(a, 'join', { room: 'inv-4', name: 'A', token: longName })), 'token-invalid');
    const bidi = mintInvitation({ room: 'inv-4', ttlSeconds: 60, name: '\u2067Ada\u2069' }, secret);
    assert.equal((await join(a, { room: 'inv-4', name: 'A', token: bidi })).self.name, 'Ada');
  });

  test('the maximum lifetime is configurable', async () => {
    const { server: s3, url: u3 } = await startTestServer({ accessSecret: secret, inviteMaxTtl: 3_600 });
    try {
      const a = await connect(u3);
      const day = mintInvitation({ room: 'inv-5', ttlSeconds: 86_400 }, secret);
      assert.equal(await refusal(request(a, 'join', { room: 'inv-5', name: 'A', token: day })), 'token-invalid');
      const hour = mintInvitation({ room: 'inv-5', ttlSeconds: 3_600 }, secret);
      assert.ok((await join(a, { room: 'inv-5', name: 'A', token: hour })).ok);
    } finally {
      await s3.close();
    }
  });
});

describe('secrets', () => {
  test('the access secret, tokens and passwords never appear in logs or responses', async () => {
    const secret = 'S3cr3t-'.repeat(6);
    const lines: string[] = [];
    const log = pino({ level: 'trace' }, { write: (line: string) => lines.push(line) });
    const { server: s2, url: u2 } = await startTestServer({ accessSecret: secret }, log);
    try {
      const token = mintInvitation({ room: 'sec-1', ttlSeconds: 60, role: 'host' }, secret);
      const [a, b] = await Promise.all([connect(u2), connect(u2)]);
      const ja = await join(a, { room: 'sec-1', name: 'A', token });
      await request(a, 'room-password', { password: 'hunter2-password' });
      const wrong = await request<JoinReply>(b, 'join', { room: 'sec-1', name: 'B', token: `${token}x` });
      const pageHtml = await (await fetch(`${u2}/`, { headers: { accept: 'text/html' } })).text();
      const everything = [...lines, JSON.stringify(ja), JSON.stringify(wrong), pageHtml].join('\n');
      assert.ok(lines.length >= 4, 'the server did log');
      for (const needle of [secret, token, 'hunter2-password', 'scrypt$']) {
        assert.ok(!everything.includes(needle), `${needle.slice(0, 12)}… leaked`);
      }
    } finally {
      await s2.close();
    }
  });
});
