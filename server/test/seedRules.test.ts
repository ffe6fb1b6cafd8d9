import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { SEED_EXTRA_MAX } from '@parley/protocol';
import { mintInvitation } from '../src/access/invitations';
import type { Config } from '../src/config';
import type { ParleyServer } from '../src/ParleyServer';
import { closeAllSockets, collect, connect, next, sleep, startTestServer } from './support';

const servers: ParleyServer[] = [];
after(async () => {
  closeAllSockets();
  await Promise.all(servers.map((s) => s.close()));
});

async function start(overrides: Partial<Config> = {}): Promise<string> {
  const { server, url } = await startTestServer(overrides);
  servers.push(server);
  return url;
}

type Reply = { ok: boolean; error?: string; message?: string };
const ask = (s: Awaited<ReturnType<typeof connect>>, event: string, payload: unknown): Promise<Reply> =>
  s.timeout(2_000).emitWithAck(event, payload) as Promise<Reply>;

const offer = { type: 'offer', sdp: 'v=0\r\n' };

describe('the seed namespace obeys the server rules', () => {
  test('on an invitation-only server a seed join needs an invitation for its room', async () => {
    const secret = 's'.repeat(40);
    const url = await start({ accessSecret: secret });
    const [a, b] = await Promise.all([connect(url, '/'), connect(url, '/')]);
    assert.equal((await ask(a, 'join', { username: 'a', room: 'inv' })).error, 'token-required');
    const other = mintInvitation({ room: 'elsewhere', ttlSeconds: 600 }, secret);
    assert.equal((await ask(a, 'join', { username: 'a', room: 'inv', token: other })).error, 'token-wrong-room');
    assert.equal((await ask(a, 'join', { username: 'a', room: 'inv', token: 'x.y.z' })).error, 'token-invalid');
    // Without an acknowledgement (as the seed's own client sends), the refusal is a protocol-error.
    const errors = collect<{ error: string; event: string }>(b, 'protocol-error');
    b.emit('join', { username: 'b', room: 'inv' });
    await sleep(100);
    assert.deepEqual(
      errors.map((e) => [e.event, e.error]),
      [['join', 'token-required']],
    );
    // Nothing is relayed for a socket that was refused.
    assert.equal((await ask(b, 'data', { username: 'b', room: 'inv', data: offer })).error, 'not-joined');
    const token = mintInvitation({ room: 'inv', ttlSeconds: 600 }, secret);
    assert.deepEqual(await ask(a, 'join', { username: 'a', room: 'inv', token }), { ok: true });
    const ready = next(a, 'ready');
    assert.deepEqual(await ask(b, 'join', { username: 'b', room: 'inv', token }), { ok: true });
    assert.deepEqual(await ready, { username: 'b' });
  });

  test('SEED_PROTOCOL off refuses seed connections with a reason the client can read', async () => {
    const url = await start({ seedProtocol: false });
    await assert.rejects(connect(url, '/'), (err: Error & { data?: { error: string; option: string } }) => {
      assert.match(err.message, /seed protocol is off.*SEED_PROTOCOL/);
      assert.deepEqual(err.data, { error: 'seed-protocol-off', option: 'SEED_PROTOCOL' });
      return true;
    });
    await connect(url); // Parley's own namespace is unaffected.
  });

  test('one room per socket; joining the same room again announces it again', async () => {
    const url = await start();
    const [a, b] = await Promise.all([connect(url, '/'), connect(url, '/')]);
    assert.deepEqual(await ask(a, 'join', { username: 'a', room: 'one' }), { ok: true });
    assert.equal((await ask(a, 'join', { username: 'a', room: 'two' })).error, 'already-joined');
    assert.deepEqual(await ask(b, 'join', { username: 'b', room: 'one' }), { ok: true });
    const again = next(b, 'ready');
    assert.deepEqual(await ask(a, 'join', { username: 'a', room: 'one' }), { ok: true });
    assert.deepEqual(await again, { username: 'a' });
    // Relaying to the room it was refused is refused too.
    assert.equal((await ask(a, 'data', { username: 'a', room: 'two', data: offer })).error, 'not-joined');
  });

  test('joins count against the per-address join limit, shared with /parley', async () => {
    const url = await start({ rateJoinsPerMinute: 3, rateAddressJoinsPerMinute: 3 });
    const sockets = await Promise.all([1, 2, 3, 4].map(() => connect(url, '/')));
    const replies = [];
    for (const [i, s] of sockets.entries())
      replies.push(await ask(s, 'join', { username: `u${i}`, room: `limit-${i}` }));
    assert.deepEqual(
      replies.map((r) => r.ok || r.error),
      [true, true, true, 'rate-limited'],
    );
    const parley = await connect(url);
    const reply = (await parley.timeout(2_000).emitWithAck('join', { room: 'p', name: 'P' })) as Reply;
    assert.equal(reply.error, 'rate-limited');
  });

  test('a seed room holds at most SEED_ROOM_MAX sockets, whatever MESH_MAX says', async () => {
    const url = await start({ seedRoomMax: 2, meshMax: 4 });
    const sockets = await Promise.all([1, 2, 3].map(() => connect(url, '/')));
    const replies = [];
    for (const s of sockets) replies.push(await ask(s, 'join', { username: 'u', room: 'full' }));
    assert.deepEqual(
      replies.map((r) => r.ok || r.error),
      [true, true, 'room-full'],
    );
  });

  test('extra fields are relayed within SEED_EXTRA_MAX and refused above it', async () => {
    const url = await start();
    const [a, b] = await Promise.all([connect(url, '/'), connect(url, '/')]);
    await ask(a, 'join', { username: 'a', room: 'extra' });
    await ask(b, 'join', { username: 'b', room: 'extra' });
    const atB = collect(b, 'data');
    const small = { ...offer, from: 'a', note: 'x'.repeat(100) };
    assert.deepEqual(await ask(a, 'data', { username: 'a', room: 'extra', data: small }), { ok: true });
    const big = { ...offer, note: 'x'.repeat(SEED_EXTRA_MAX) };
    const refused = await ask(a, 'data', { username: 'a', room: 'extra', data: big });
    assert.equal(refused.error, 'invalid-message');
    const bigCandidate = { type: 'candidate', candidate: { candidate: 'c' }, extra: ['y'.repeat(SEED_EXTRA_MAX)] };
    assert.equal((await ask(a, 'data', { username: 'a', room: 'extra', data: bigCandidate })).error, 'invalid-message');
    await sleep(100);
    assert.deepEqual(atB, [small]);
  });

  test('a seed room named like a socket id does not reach that socket', async () => {
    const url = await start();
    const [victim, a] = await Promise.all([connect(url, '/'), connect(url, '/')]);
    const atVictim = collect(victim, 'data');
    assert.ok(victim.id);
    await ask(a, 'join', { username: 'a', room: victim.id });
    await ask(a, 'data', { username: 'a', room: victim.id, data: offer });
    await sleep(100);
    assert.equal(atVictim.length, 0);
  });

  test('unknown events are answered when the client asks for an answer', async () => {
    const url = await start();
    const s = await connect(url, '/');
    assert.equal((await ask(s, 'hello', {})).error, 'unknown-event');
  });
});
