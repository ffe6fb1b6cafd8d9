import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MeetingOkReply, MeetingState, ReactionEvent } from '@parley/protocol';
import { MeetingClient, REACTION_SHOW_MS, type MeetingLink, type MeetingTimers } from './MeetingClient';

/** A link whose server answers are scripted and whose events the test sends. */
function fakeLink(self = 'me') {
  const state = new Set<(s: MeetingState) => void>();
  const reaction = new Set<(r: ReactionEvent) => void>();
  const joined = new Set<(j: boolean) => void>();
  const sent: Array<{ event: string; payload: unknown }> = [];
  let answer: MeetingOkReply = { ok: true };
  const link: MeetingLink = {
    onState: (l) => (state.add(l), () => state.delete(l)),
    onReaction: (l) => (reaction.add(l), () => reaction.delete(l)),
    onJoined: (l) => (joined.add(l), () => joined.delete(l)),
    request: (event, payload) => {
      sent.push({ event, payload });
      return Promise.resolve(answer);
    },
    selfId: () => self,
  };
  return {
    link,
    sent,
    answer: (a: MeetingOkReply) => void (answer = a),
    state: (s: MeetingState) => state.forEach((l) => l(s)),
    reaction: (r: ReactionEvent) => reaction.forEach((l) => l(r)),
    joined: (j: boolean) => joined.forEach((l) => l(j)),
  };
}

function fakeTimers(): MeetingTimers & { run(): void; count(): number } {
  const pending = new Map<number, () => void>();
  let next = 1;
  return {
    set: (fn) => (pending.set(next, fn), next++),
    clear: (h) => void pending.delete(h as number),
    run: () => {
      for (const [h, fn] of [...pending]) {
        pending.delete(h);
        fn();
      }
    },
    count: () => pending.size,
  };
}

test('hands follow the server’s queue; a newly raised hand of someone else is announced with its place', () => {
  const f = fakeLink();
  const m = new MeetingClient(f.link, fakeTimers());
  const raised: Array<{ id: string; position: number }> = [];
  m.on('hand-raised', (e) => raised.push(e));
  f.state({ hands: ['a'], spotlight: null }); // as found on joining: not "just raised"
  f.state({ hands: ['a', 'b'], spotlight: null });
  f.state({ hands: ['a', 'b', 'me'], spotlight: null }); // your own: not announced to you
  assert.deepEqual(raised, [{ id: 'b', position: 2 }]);
  assert.deepEqual(m.snapshot.hands, ['a', 'b', 'me']);
  assert.equal(m.handPosition('me'), 3);
  assert.equal(m.handPosition('zed'), 0);
  assert.equal(m.handRaised, true);
  // After a rejoin the room's hands are found, not raised.
  f.joined(false);
  f.state({ hands: ['a', 'b', 'me', 'c'], spotlight: null });
  assert.equal(raised.length, 1);
});

test('toggling the hand asks the server to raise, then to lower once the queue holds it', async () => {
  const f = fakeLink();
  const m = new MeetingClient(f.link, fakeTimers());
  await m.toggleHand();
  f.state({ hands: ['me'], spotlight: null });
  await m.toggleHand();
  await m.lowerHand('x');
  assert.deepEqual(f.sent, [
    { event: 'hand-raise', payload: {} },
    { event: 'hand-lower', payload: {} },
    { event: 'hand-lower', payload: { id: 'x' } },
  ]);
});

test('a refusal becomes the snapshot’s error sentence and clears on the next success', async () => {
  const f = fakeLink();
  const m = new MeetingClient(f.link, fakeTimers());
  f.answer({ ok: false, error: 'not-host', message: 'Only the host can spotlight someone.' });
  assert.equal(await m.spotlight('b'), false);
  assert.equal(m.snapshot.error, 'Only the host can spotlight someone.');
  f.answer({ ok: true });
  assert.equal(await m.spotlight(null), true);
  assert.equal(m.snapshot.error, null);
});

test('reactions float for REACTION_SHOW_MS: others’ on arrival, yours once the server took it', async () => {
  const f = fakeLink();
  const t = fakeTimers();
  const m = new MeetingClient(f.link, t);
  const heard: string[] = [];
  m.on('reaction', (r) => heard.push(`${r.from}:${r.emoji}`));
  f.reaction({ from: 'a', emoji: '👏', at: 1 });
  f.reaction({ from: 'me', emoji: '👏', at: 1 }); // an echo of yours is not shown twice
  f.reaction({ from: 'a', emoji: '💩' as never, at: 1 }); // outside the set: ignored
  f.answer({ ok: false, error: 'rate-limited', message: 'Too many reactions.' });
  await m.react('🎉');
  f.answer({ ok: true });
  await m.react('😂');
  assert.deepEqual(heard, ['a:👏', 'me:😂']);
  assert.deepEqual(
    m.snapshot.reactions.map((r) => [r.from, r.emoji]),
    [
      ['a', '👏'],
      ['me', '😂'],
    ],
  );
  assert.equal(t.count(), 2);
  assert.ok(REACTION_SHOW_MS >= 3_000 && REACTION_SHOW_MS <= 5_000);
  t.run();
  assert.deepEqual(m.snapshot.reactions, []);
});

test('the pin is yours alone: pin, pin another, pin again to unpin; the server is not asked', () => {
  const f = fakeLink();
  const m = new MeetingClient(f.link, fakeTimers());
  m.togglePin('a');
  assert.equal(m.snapshot.pinned, 'a');
  m.togglePin('b');
  assert.equal(m.snapshot.pinned, 'b');
  m.togglePin('b');
  assert.equal(m.snapshot.pinned, null);
  assert.equal(f.sent.length, 0);
});
