import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join as pathJoin } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { PROTOCOL_VERSION, type JoinReply, type OkReply, type Participant, type SignalData } from '@parley/protocol';
import type { Config } from '../src/config';
import type { ParleyServer } from '../src/ParleyServer';
import { closeAllSockets, collect, connect, join, next, request, sleep, startTestServer } from './support';

let server: ParleyServer;
let url: string;

before(async () => {
  ({ server, url } = await startTestServer({ meshMax: 3, stunUrls: ['stun:stun.example.org:3478'] }));
});
afterEach(() => closeAllSockets());
after(() => server.close());

const offer: SignalData = { kind: 'description', description: { type: 'offer', sdp: 'v=0\r\n' } };

describe("Parley's protocol", () => {
  test('join answers with the participant id, the others and the ICE servers', async () => {
    const a = await connect(url);
    const b = await connect(url);
    const ja = await join(a, { room: 'join-1', name: ' Alice ' });
    assert.equal(ja.self.name, 'Alice');
    assert.ok(ja.self.id.length >= 8);
    assert.deepEqual(ja.participants, []);
    assert.deepEqual(ja.iceServers, [{ urls: ['stun:stun.example.org:3478'] }]);
    assert.ok(ja.resumeToken.length > 10);
    // The reply says how the room's media travels and which protocol version the server speaks.
    assert.equal(ja.topology, 'mesh');
    assert.equal(ja.protocolVersion, PROTOCOL_VERSION);

    const joined = next<{ participant: Participant }>(a, 'participant-joined');
    const jb = await join(b, { room: 'join-1', name: 'Bob', media: { audio: false, video: true } });
    assert.deepEqual(
      jb.participants.map((p) => p.id),
      [ja.self.id],
    );
    const seen = await joined;
    assert.equal(seen.participant.id, jb.self.id);
    assert.deepEqual(seen.participant.media, { audio: false, video: true });
    assert.notEqual(ja.self.id, jb.self.id);
  });

  test('a signal reaches only its target, stamped with the real sender id', async () => {
    const [a, b, c] = await Promise.all([connect(url), connect(url), connect(url)]);
    const ja = await join(a, { room: 'sig-1', name: 'A' });
    const jb = await join(b, { room: 'sig-1', name: 'B' });
    await join(c, { room: 'sig-1', name: 'C' });
    const atC = collect(c, 'signal');
    const atA = collect(a, 'signal');
    const got = next<{ from: string; data: SignalData }>(b, 'signal');
    const reply = await request<OkReply>(a, 'signal', { to: jb.self.id, data: offer });
    assert.deepEqual(reply, { ok: true });
    assert.deepEqual(await got, { from: ja.self.id, data: offer });
    await sleep(100);
    assert.equal(atC.length, 0, 'the third participant got nothing');
    assert.equal(atA.length, 0, 'the sender got nothing back');
  });

  test('a description with the roles of its tracks is relayed as sent', async () => {
    const [a, b] = await Promise.all([connect(url), connect(url)]);
    const ja = await join(a, { room: 'sig-roles', name: 'A' });
    const jb = await join(b, { room: 'sig-roles', name: 'B' });
    const data: SignalData = {
      ...offer,
      gen: 1,
      tracks: [
        { mid: '0', participant: ja.self.id, role: 'microphone' },
        { mid: '1', participant: ja.self.id, role: 'camera' },
        { mid: '3', participant: ja.self.id, role: 'screen' },
      ],
    };
    const got = next<{ from: string; data: SignalData }>(b, 'signal');
    assert.deepEqual(await request<OkReply>(a, 'signal', { to: jb.self.id, data }), { ok: true });
    assert.deepEqual(await got, { from: ja.self.id, data });
    const bad = await request<OkReply>(a, 'signal', {
      to: jb.self.id,
      data: { ...offer, tracks: [{ mid: '0', participant: ja.self.id, role: 'webcam' }] },
    });
    assert.equal(!bad.ok && bad.error, 'invalid-message');
  });

  test('signals cannot cross rooms, reach oneself, or be sent before joining', async () => {
    const [a, b, outsider] = await Promise.all([connect(url), connect(url), connect(url)]);
    const ja = await join(a, { room: 'sig-2', name: 'A' });
    const jb = await join(b, { room: 'sig-2-other', name: 'B' });
    const atB = collect(b, 'signal');
    let r = await request<OkReply>(a, 'signal', { to: jb.self.id, data: offer });
    assert.equal(!r.ok && r.error, 'unknown-participant');
    r = await request<OkReply>(a, 'signal', { to: ja.self.id, data: offer });
    assert.equal(!r.ok && r.error, 'unknown-participant');
    r = await request<OkReply>(outsider, 'signal', { to: ja.self.id, data: offer });
    assert.equal(!r.ok && r.error, 'not-joined');
    await sleep(50);
    assert.equal(atB.length, 0);
  });

  test('leave and disconnect tell the others, with the reason', async () => {
    const [a, b, c] = await Promise.all([connect(url), connect(url), connect(url)]);
    await join(a, { room: 'leave-1', name: 'A' });
    const jb = await join(b, { room: 'leave-1', name: 'B' });
    const jc = await join(c, { room: 'leave-1', name: 'C' });
    const left1 = next<{ id: string; reason: string }>(a, 'participant-left');
    assert.deepEqual(await request(b, 'leave', {}), { ok: true });
    assert.deepEqual(await left1, { id: jb.self.id, reason: 'left' });
    const left2 = next<{ id: string; reason: string }>(a, 'participant-left');
    c.disconnect();
    assert.deepEqual(await left2, { id: jc.self.id, reason: 'left' });
    // A leave when not joined is refused; the connection can join again afterwards.
    const r = await request<OkReply>(b, 'leave', {});
    assert.equal(!r.ok && r.error, 'not-joined');
    await join(b, { room: 'leave-1', name: 'B again' });
  });

  test('media-state changes reach the others', async () => {
    const [a, b] = await Promise.all([connect(url), connect(url)]);
    await join(a, { room: 'media-1', name: 'A' });
    const jb = await join(b, { room: 'media-1', name: 'B' });
    const updated = next<{ participant: Participant }>(a, 'participant-updated');
    b.emit('media-state', { audio: false, video: false });
    const u = await updated;
    assert.equal(u.participant.id, jb.self.id);
    assert.deepEqual(u.participant.media, { audio: false, video: false });
  });

  test('a full room refuses the next participant with room-full', async () => {
    const socks = await Promise.all([connect(url), connect(url), connect(url), connect(url)]);
    for (const [i, s] of socks.slice(0, 3).entries()) await join(s, { room: 'full-1', name: `P${i}` });
    const r = await request<JoinReply>(socks[3]!, 'join', { room: 'full-1', name: 'late' });
    assert.equal(!r.ok && r.error, 'room-full');
    assert.equal(server.rooms.get('full-1')?.size, 3);
  });

  test('joining twice on one connection is refused', async () => {
    const a = await connect(url);
    await join(a, { room: 'twice', name: 'A' });
    const r = await request<JoinReply>(a, 'join', { room: 'twice-b', name: 'A' });
    assert.equal(!r.ok && r.error, 'already-joined');
  });

  test('a reconnecting participant resumes its id with its token; a wrong token gets a new id', async () => {
    const [a, b] = await Promise.all([connect(url), connect(url)]);
    const ja = await join(a, { room: 'resume-1', name: 'A' });
    await join(b, { room: 'resume-1', name: 'B' });
    // Same participant on a new connection while the old one is still open: the old one is closed.
    const a2 = await connect(url);
    const replaced = next(a, 'replaced');
    const bLeft = collect(b, 'participant-left');
    const again = await join(a2, {
      room: 'resume-1',
      name: 'A',
      resume: { participantId: ja.self.id, token: ja.resumeToken },
    });
    assert.equal(again.self.id, ja.self.id);
    await replaced;
    await sleep(100);
    assert.equal(bLeft.length, 0, 'no one saw the replaced connection leave');
    assert.equal(server.rooms.get('resume-1')?.size, 2);
    // Someone else cannot take over that id.
    const thief = await connect(url);
    const t = await join(thief, { room: 'resume-1', name: 'T', resume: { participantId: ja.self.id, token: 'wrong' } });
    assert.notEqual(t.self.id, ja.self.id);
  });

  test('a resume within the grace takes the seat back silently: no participant-joined, no participant-left', async () => {
    const [a, b] = await Promise.all([connect(url), connect(url)]);
    const ja = await join(a, { room: 'resume-2', name: 'A' });
    await join(b, { room: 'resume-2', name: 'B' });
    const atB = { joined: collect(b, 'participant-joined'), left: collect(b, 'participant-left') };
    const updated = collect<{ participant: Participant }>(b, 'participant-updated');
    // The transport drops without a goodbye (network loss): the seat is kept for the grace.
    a.io.engine.close();
    await sleep(100);
    const a2 = await connect(url);
    const again = await join(a2, {
      room: 'resume-2',
      name: 'A',
      resume: { participantId: ja.self.id, token: ja.resumeToken },
    });
    assert.equal(again.self.id, ja.self.id);
    assert.equal(again.self.joinedAt, ja.self.joinedAt, 'the same seat, not a new arrival');
    await sleep(200);
    assert.equal(atB.joined.length, 0, 'nobody is told of a join');
    assert.equal(atB.left.length, 0);
    assert.equal(updated.length, 0, 'nothing changed');
    // Resuming with the camera now off tells the others just that.
    a2.io.engine.close();
    await sleep(100);
    const a3 = await connect(url);
    await join(a3, {
      room: 'resume-2',
      name: 'A',
      media: { audio: true, video: false },
      resume: { participantId: ja.self.id, token: again.resumeToken },
    });
    await sleep(200);
    assert.equal(atB.joined.length, 0);
    assert.deepEqual(
      updated.map((u) => u.participant.media),
      [{ audio: true, video: false }],
    );
  });

  test('no forged token adopts an id, live or departed, whatever its shape', async () => {
    const [a, b] = await Promise.all([connect(url), connect(url)]);
    const ja = await join(a, { room: 'resume-4', name: 'A' });
    const jb = await join(b, { room: 'resume-4', name: 'B' });
    b.disconnect(); // B departs; A stays
    await sleep(50);
    const real = jb.resumeToken;
    const flip = (t: string, i: number): string => t.slice(0, i) + (t[i] === 'A' ? 'B' : 'A') + t.slice(i + 1);
    const forged = [
      ...Array.from({ length: 40 }, (_, i) =>
        randomBytes(32)
          .toString(i % 2 ? 'base64url' : 'hex')
          .slice(0, 43),
      ),
      ...Array.from({ length: 43 }, (_, i) => flip(real, i)),
      `${real}=`,
      real.slice(0, 42),
      ' '.repeat(43),
    ];
    const claims = [
      ...forged.flatMap((token) => [jb.self.id, ja.self.id].map((participantId) => ({ participantId, token }))),
      { participantId: jb.self.id, token: ja.resumeToken }, // another participant's real token
    ];
    const thief = await connect(url);
    for (const resume of claims) {
      const r = await join(thief, { room: 'resume-4', name: 'T', resume });
      assert.notEqual(r.self.id, resume.participantId, `token ${JSON.stringify(resume.token)} took the id`);
      await request(thief, 'leave', {});
    }
    assert.equal(server.rooms.get('resume-4')?.get(ja.self.id)?.participant.name, 'A', 'A kept its seat');
  });

  test('resume tokens belong to one room and one id', async () => {
    const a = await connect(url);
    const ja = await join(a, { room: 'resume-3', name: 'A' });
    a.disconnect();
    const b = await connect(url);
    const other = await join(b, {
      room: 'resume-3b',
      name: 'A',
      resume: { participantId: ja.self.id, token: ja.resumeToken },
    });
    assert.notEqual(other.self.id, ja.self.id, 'the token does not work in another room');
    assert.notEqual(other.resumeToken, ja.resumeToken);
  });

  test('invalid payloads get error replies and the server keeps serving', async () => {
    const a = await connect(url);
    const errors = collect<{ error: string }>(a, 'protocol-error');
    const bad: Array<[string, unknown]> = [
      ['join', { room: 'bad room', name: 'x' }],
      ['join', 'nonsense'],
      ['join', null],
      ['signal', { to: 1 }],
      ['media-state', []],
      ['nope', { a: 1 }],
      ['join', { room: 'r', name: 'x'.repeat(5000) }],
    ];
    for (const [event, payload] of bad) {
      const r = await request<OkReply>(a, event, payload);
      assert.equal(r.ok, false, `${event} refused`);
      if (!r.ok) assert.ok(['invalid-message', 'unknown-event'].includes(r.error));
    }
    // Without an acknowledgement, the refusal comes as a protocol-error event.
    a.emit('signal', { garbage: true });
    a.emit('whatever');
    await sleep(100);
    assert.deepEqual(
      errors.map((e) => e.error),
      ['invalid-message', 'unknown-event'],
    );
    // Still serving, on the same connection and on new ones.
    await join(a, { room: 'after-bad', name: 'Fine' });
    const res = await fetch(`${url}/healthz`);
    assert.equal(res.status, 200);
  });
});

describe('resume across a restart', () => {
  const dir = mkdtempSync(pathJoin(tmpdir(), 'parley-resume-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Join A and B on one server, stop it, start another with `second`, and resume both there. */
  async function restart(first: Partial<Config>, second: Partial<Config>): Promise<{ same: boolean; seen: string[] }> {
    const s1 = await startTestServer(first);
    const [a, b] = await Promise.all([connect(s1.url), connect(s1.url)]);
    const ja = await join(a, { room: 'restart', name: 'A' });
    const jb = await join(b, { room: 'restart', name: 'B' });
    await s1.server.close();
    const s2 = await startTestServer(second);
    try {
      const [a2, b2] = await Promise.all([connect(s2.url), connect(s2.url)]);
      const ra = await join(a2, {
        room: 'restart',
        name: 'A',
        resume: { participantId: ja.self.id, token: ja.resumeToken },
      });
      const joined = next<{ participant: Participant }>(a2, 'participant-joined');
      const rb = await join(b2, {
        room: 'restart',
        name: 'B',
        resume: { participantId: jb.self.id, token: jb.resumeToken },
      });
      const seen = (await joined).participant.id;
      return { same: ra.self.id === ja.self.id && rb.self.id === jb.self.id && seen === jb.self.id, seen: [seen] };
    } finally {
      closeAllSockets();
      await s2.server.close();
    }
  }

  test('with the default key file, both come back as the same participants and peers recognise them', async () => {
    const file = pathJoin(dir, 'state', 'parley', 'resume-secret');
    assert.equal((await restart({ resumeSecretFile: file }, { resumeSecretFile: file })).same, true);
    assert.equal(statSync(file).mode & 0o777, 0o600, 'the key file is private');
    assert.equal(statSync(dirname(file)).mode & 0o777, 0o700);
  });

  test('with RESUME_SECRET set on both, too; with another key, nobody keeps an id', async () => {
    const key = 'r'.repeat(40);
    assert.equal((await restart({ resumeSecret: key }, { resumeSecret: key })).same, true);
    assert.equal((await restart({ resumeSecret: key }, { resumeSecret: 's'.repeat(40) })).same, false);
    assert.equal((await restart({}, {})).same, false, 'two in-memory keys');
  });

  test('a key file other users can read stops the start with a clear error', async () => {
    const file = pathJoin(dir, 'open-secret');
    writeFileSync(file, 'k'.repeat(43), { mode: 0o644 });
    chmodSync(file, 0o644);
    await assert.rejects(startTestServer({ resumeSecretFile: file }), /RESUME_SECRET_FILE: .*chmod 600/);
  });
});

describe('seed protocol (default namespace)', () => {
  test('join emits ready {username} to the others, not to the joiner', async () => {
    const [a, b] = await Promise.all([connect(url, '/'), connect(url, '/')]);
    const atB = collect(b, 'ready');
    a.emit('join', { username: 'alice', room: 'seed-1' });
    await sleep(50);
    const ready = next(a, 'ready');
    b.emit('join', { username: 'bob', room: 'seed-1' });
    assert.deepEqual(await ready, { username: 'bob' });
    await sleep(50);
    assert.equal(atB.length, 0);
  });

  test('data relays the inner data object to everyone else in the room, unchanged', async () => {
    const [a, b, c, other] = await Promise.all([
      connect(url, '/'),
      connect(url, '/'),
      connect(url, '/'),
      connect(url, '/'),
    ]);
    for (const [s, n] of [
      [a, 'a'],
      [b, 'b'],
      [c, 'c'],
    ] as const)
      s.emit('join', { username: n, room: 'seed-2' });
    other.emit('join', { username: 'o', room: 'seed-other' });
    await sleep(100);
    const atA = collect(a, 'data');
    const atOther = collect(other, 'data');
    const data = { type: 'offer', sdp: 'v=0\r\n' };
    const gotB = next(b, 'data');
    const gotC = next(c, 'data');
    a.emit('data', { username: 'a', room: 'seed-2', data });
    assert.deepEqual(await gotB, data);
    assert.deepEqual(await gotC, data);
    const cand = {
      type: 'candidate',
      candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 },
    };
    const gotB2 = next(b, 'data');
    a.emit('data', { username: 'a', room: 'seed-2', data: cand });
    assert.deepEqual(await gotB2, cand);
    await sleep(100);
    assert.equal(atA.length, 0, 'not echoed to the sender');
    assert.equal(atOther.length, 0, 'not leaked to another room');
  });

  test('bad seed payloads are refused; relaying to a room not joined is refused', async () => {
    const [a, b] = await Promise.all([connect(url, '/'), connect(url, '/')]);
    b.emit('join', { username: 'b', room: 'seed-3' });
    await sleep(50);
    const atB = collect(b, 'data');
    const errors = collect<{ error: string; event: string }>(a, 'protocol-error');
    a.emit('join', 'not an object');
    a.emit('data', { username: 'a', room: 'seed-3', data: { type: 'offer', sdp: 'x' } });
    a.emit('data', { nonsense: true });
    await sleep(100);
    assert.deepEqual(
      errors.map((e) => e.event),
      ['join', 'data', 'data'],
    );
    assert.equal(atB.length, 0);
  });
});

describe('HTTP', () => {
  test('/healthz answers ok', async () => {
    const res = await fetch(`${url}/healthz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
  });

  test('deep links get the app (SPA fallback); missing assets get 404', async () => {
    for (const path of ['/', '/call/alice/room-1', '/r/room-1']) {
      const res = await fetch(url + path, { headers: { accept: 'text/html' } });
      assert.equal(res.status, 200, path);
      assert.match(await res.text(), /Parley test index/);
    }
    const missing = await fetch(`${url}/assets/nope.js`);
    assert.equal(missing.status, 404);
    const traversal = await fetch(`${url}/..%2f..%2fetc%2fpasswd`, { headers: { accept: 'text/html' } });
    assert.doesNotMatch(await traversal.text(), /root:/);
  });
});
