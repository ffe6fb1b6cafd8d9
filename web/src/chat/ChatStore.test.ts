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
