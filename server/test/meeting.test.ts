import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { REACTION_BURST, type MeetingOkReply, type MeetingState, type ReactionEvent } from '@parley/protocol';
import type { ParleyServer } from '../src/ParleyServer';
import { closeAllSockets, collect, connect, join, next, request, sleep, startTestServer } from './support';

let server: ParleyServer;
let url: string;

before(async () => {
  ({ server, url } = await startTestServer({ meshMax: 4 }));
});
afterEach(() => closeAllSockets());
after(() => server.close());

/** Three people in `room`: Ann (the host, first in), Ben and Cy. */
async function threeIn(room: string) {
  const [a, b, c] = await Promise.all([connect(url), connect(url), connect(url)]);
  const ja = await join(a, { room, name: 'Ann' });
  const jb = await join(b, { room, name: 'Ben' });
  const jc = await join(c, { room, name: 'Cy' });
  return { a, b, c, ann: ja.self.id, ben: jb.self.id, cy: jc.self.id };
}

describe('raised hands', () => {
  test('hands queue in the order raised, everyone hears each change, and a newcomer gets the queue', async () => {
    const { a, b, c, ben, cy } = await threeIn('hands-1');
    const atA = collect<MeetingState>(a, 'meeting-state');
    assert.deepEqual(await request<MeetingOkReply>(c, 'hand-raise', {}), { ok: true });
    assert.deepEqual(await request<MeetingOkReply>(b, 'hand-raise', {}), { ok: true });
    // Raising again keeps the place.
    assert.deepEqual(await request<MeetingOkReply>(c, 'hand-raise', {}), { ok: true });
    await sleep(100);
    assert.deepEqual(
      atA.map((s) => s.hands),
      [[cy], [cy, ben]],
    );
    const d = await connect(url);
    const jd = await join(d, { room: 'hands-1', name: 'Dee' });
    assert.deepEqual(jd.meeting, { hands: [cy, ben], spotlight: null });
    assert.deepEqual(await request<MeetingOkReply>(c, 'hand-lower', {}), { ok: true });
    assert.deepEqual((await next<MeetingState>(d, 'meeting-state')).hands, [ben]);
  });

  test('the host lowers anyone’s hand; anyone else is refused with not-host and the hand stays up', async () => {
    const { a, b, c, ben } = await threeIn('hands-2');
    await request(b, 'hand-raise', {});
    const refused = await request<MeetingOkReply>(c, 'hand-lower', { id: ben });
    assert.equal(refused.ok, false);
    assert.ok(!refused.ok && refused.error === 'not-host' && /host/.test(refused.message));
    const atB = collect<MeetingState>(b, 'meeting-state');
    assert.deepEqual(await request<MeetingOkReply>(a, 'hand-lower', { id: ben }), { ok: true });
    await sleep(100);
    assert.deepEqual(
      atB.map((s) => s.hands),
      [[]],
      'lowered once, by the host',
    );
    const unknown = await request<MeetingOkReply>(a, 'hand-lower', { id: 'nobody' });
    assert.ok(!unknown.ok && unknown.error === 'unknown-participant');
  });

  test('leaving lowers the hand', async () => {
    const { a, b, c, ben, cy } = await threeIn('hands-3');
    await request(b, 'hand-raise', {});
    await request(c, 'hand-raise', {});
    const changed = next<MeetingState>(a, 'meeting-state');
    b.disconnect();
    assert.deepEqual((await changed).hands, [cy]);
    assert.notEqual(ben, cy);
  });

  test('a hand flapping up and down is refused past its budget, with a clear error', async () => {
    const { b } = await threeIn('hands-4');
    const replies: MeetingOkReply[] = [];
    for (let i = 0; i < 10; i++)
      replies.push(await request<MeetingOkReply>(b, i % 2 ? 'hand-lower' : 'hand-raise', {}));
    const refused = replies.filter((r) => !r.ok);
    assert.ok(refused.length >= 3, `refused ${refused.length} of 10`);
    assert.ok(refused.every((r) => !r.ok && r.error === 'rate-limited' && /hand/.test(r.message)));
    // Still connected and served.
    assert.deepEqual(await request(b, 'media-state', { audio: false, video: true }), { ok: true });
  });
});

describe('reactions', () => {
  test('a reaction reaches everyone else with the sender id, not the sender', async () => {
    const { a, b, c, ann } = await threeIn('react-1');
    const atA = collect<ReactionEvent>(a, 'reaction');
    const atB = collect<ReactionEvent>(b, 'reaction');
    const atC = collect<ReactionEvent>(c, 'reaction');
    assert.deepEqual(await request<MeetingOkReply>(a, 'reaction-send', { emoji: '👏' }), { ok: true });
    await sleep(100);
    assert.equal(atA.length, 0);
    for (const got of [atB, atC]) {
      assert.equal(got.length, 1);
      assert.equal(got[0]?.from, ann);
      assert.equal(got[0]?.emoji, '👏');
    }
  });

  test('an emoji outside the set is refused with a clear error and nothing is relayed', async () => {
    const { a, b } = await threeIn('react-2');
    const atB = collect(b, 'reaction');
    const bad = await request<MeetingOkReply>(a, 'reaction-send', { emoji: '💩' });
    assert.ok(!bad.ok && bad.error === 'invalid-message' && /emoji/.test(bad.message), JSON.stringify(bad));
    const worse = await request<MeetingOkReply>(a, 'reaction-send', { emoji: '👍', extra: 1 });
    assert.ok(!worse.ok && worse.error === 'invalid-message');
    assert.deepEqual(await request<MeetingOkReply>(a, 'reaction-send', { emoji: '👍' }), { ok: true });
    await sleep(100);
    assert.equal(atB.length, 1, 'only the good one');
  });

  test('past the per-person limit reactions are refused with a clear error; others may still react', async () => {
    const { a, b, c } = await threeIn('react-3');
    const atC = collect(c, 'reaction');
    const replies: MeetingOkReply[] = [];
    for (let i = 0; i < REACTION_BURST + 3; i++)
      replies.push(await request<MeetingOkReply>(a, 'reaction-send', { emoji: '🎉' }));
    const passed = replies.filter((r) => r.ok).length;
    assert.ok(passed >= REACTION_BURST && passed <= REACTION_BURST + 1, `passed ${passed}`);
    const refused = replies.find((r) => !r.ok);
    assert.ok(refused && !refused.ok && refused.error === 'rate-limited' && /reactions/i.test(refused.message));
    assert.deepEqual(await request<MeetingOkReply>(b, 'reaction-send', { emoji: '😮' }), { ok: true });
    await sleep(100);
    assert.equal(atC.length, passed + 1);
  });

  test('not in a room: refused with not-joined', async () => {
    const s = await connect(url);
    const r = await request<MeetingOkReply>(s, 'reaction-send', { emoji: '👍' });
    assert.ok(!r.ok && r.error === 'not-joined');
  });
});

describe('spotlight', () => {
  test('the host spotlights someone for everyone; a non-host is refused; leaving clears it', async () => {
    const { a, b, c, ben, cy } = await threeIn('spot-1');
    const refused = await request<MeetingOkReply>(b, 'spotlight', { id: cy });
    assert.ok(!refused.ok && refused.error === 'not-host');
    const atB = next<MeetingState>(b, 'meeting-state');
    assert.deepEqual(await request<MeetingOkReply>(a, 'spotlight', { id: cy }), { ok: true });
    assert.equal((await atB).spotlight, cy);
    const d = await connect(url);
    const jd = await join(d, { room: 'spot-1', name: 'Dee' });
    assert.equal(jd.meeting?.spotlight, cy, 'a newcomer sees it');
    const cleared = next<MeetingState>(b, 'meeting-state');
    c.disconnect();
    assert.equal((await cleared).spotlight, null);
    const gone = await request<MeetingOkReply>(a, 'spotlight', { id: cy });
    assert.ok(!gone.ok && gone.error === 'unknown-participant');
    assert.deepEqual(await request<MeetingOkReply>(a, 'spotlight', { id: ben }), { ok: true });
    assert.deepEqual(await request<MeetingOkReply>(a, 'spotlight', { id: null }), { ok: true });
  });

  test('bad spotlight input is refused with a clear error and the spotlight stays', async () => {
    const { a, b, ben } = await threeIn('spot-2');
    await request(a, 'spotlight', { id: ben });
    for (const bad of [{}, { id: 5 }, { id: '' }, { id: 'x'.repeat(200) }]) {
      const r = await request<MeetingOkReply>(a, 'spotlight', bad);
      assert.ok(!r.ok && r.error === 'invalid-message' && r.message.startsWith('spotlight'), JSON.stringify(r));
    }
    const d = await connect(url);
    const jd = await join(d, { room: 'spot-2', name: 'Dee' });
    assert.equal(jd.meeting?.spotlight, ben);
    assert.ok(b.connected);
  });
});
