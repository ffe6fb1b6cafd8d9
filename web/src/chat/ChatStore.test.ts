import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChatMessage } from '@parley/protocol';
import { ChatStore } from './ChatStore';

const m = (from: string, id: string, at: number, text = 'hi'): ChatMessage => ({ id, from, fromName: from, text, at });

test('a message that arrives live, in history and again is shown once', () => {
  const s = new ChatStore();
  assert.equal(s.receive(m('b', '1', 10)), true);
  assert.equal(s.receive(m('b', '1', 10)), false);
  assert.equal(s.receive(m('c', '1', 5)), true, 'same id from someone else is another message');
  assert.deepEqual(
    s.list().map((e) => `${e.message.from}/${e.message.id}`),
    ['c/1', 'b/1'],
  );
});

test('own messages are "sending" until acknowledged, then carry the server copy', () => {
  const s = new ChatStore();
  s.addOwn(m('a', 'x', 1));
  assert.deepEqual(
    s.pending().map((e) => e.message.id),
    ['x'],
  );
  s.acknowledged(m('a', 'x', 100));
  assert.equal(s.pending().length, 0);
  assert.equal(s.list()[0]?.status, 'sent');
  assert.equal(s.list()[0]?.message.at, 100);
  assert.equal(s.list().length, 1);
});

test('history that already holds an own pending message settles it', () => {
  const s = new ChatStore();
  s.addOwn(m('a', 'x', 1));
  assert.equal(s.receive(m('a', 'x', 50)), false);
  assert.equal(s.pending().length, 0);
});

test('a refused message is marked failed with the reason', () => {
  const s = new ChatStore();
  s.addOwn(m('a', 'x', 1));
  s.failed('a/x', 'too long');
  assert.equal(s.list()[0]?.status, 'failed');
  assert.equal(s.list()[0]?.error, 'too long');
  assert.equal(s.pending().length, 0);
});

test('the newest messages are kept, older ones dropped, and the store says so', () => {
  const s = new ChatStore({ keep: 5 });
  for (let i = 0; i < 12; i++) s.receive(m('b', `${i}`, i));
  assert.equal(s.size, 5);
  assert.equal(s.dropped, true);
  assert.deepEqual(
    s.list().map((e) => e.message.id),
    ['7', '8', '9', '10', '11'],
  );
  assert.equal(s.receive(m('c', 'old', 3)), false, 'older than everything kept: not shown, not new');
  assert.equal(s.receive(m('c', 'late', 9)), true, 'a late message inside the window takes its place');
  assert.deepEqual(
    s.list().map((e) => e.message.id),
    ['8', '9', 'late', '10', '11'],
  );
});

test('an own message still sending is resent after a rejoin even when no longer shown', () => {
  const s = new ChatStore({ keep: 3 });
  s.addOwn(m('a', 'mine', 1));
  for (let i = 0; i < 5; i++) s.receive(m('b', `${i}`, 10 + i));
  assert.ok(!s.list().some((e) => e.message.id === 'mine'));
  assert.deepEqual(
    s.pending().map((e) => e.message.id),
    ['mine'],
  );
  s.acknowledged(m('a', 'mine', 100));
  assert.equal(s.pending().length, 0);
  assert.equal(s.list().at(-1)?.message.id, 'mine', 'the server time places it last');
});

test('10,000 messages in order cost a constant amount of work each; late ones a logarithmic amount', () => {
  const n = 10_000;
  const s = new ChatStore();
  for (let i = 0; i < n; i++) {
    s.receive(m('b', `${i}`, 1_000 + i));
    // The panel reads the list after every message; that must not re-sort or grow.
    assert.ok(s.list().length <= 1_000);
  }
  assert.equal(s.size, 1_000);
  assert.equal(s.list()[0]?.message.id, `${n - 1_000}`);
  assert.ok(s.work.compares <= n, `compares ${s.work.compares}`);
  assert.ok(s.work.moves <= 2 * n, `moves ${s.work.moves}`);

  // One in ten arrives a little late (clock skew between senders): still no sorting.
  const t = new ChatStore();
  for (let i = 0; i < n; i++) t.receive(m('c', `${i}`, i % 10 === 9 ? i - 5 : i));
  const times = t.list().map((e) => e.message.at);
  assert.deepEqual(
    times,
    [...times].sort((x, y) => x - y),
  );
  const perMessage = (t.work.compares + t.work.moves) / n;
  assert.ok(perMessage < 20, `work per message ${perMessage}`);
});
