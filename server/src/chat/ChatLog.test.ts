import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChatMessage } from '@parley/protocol';
import { ChatLog } from './ChatLog';

const msg = (from: string, id: string, extra: Partial<ChatMessage> = {}): ChatMessage => ({
  id,
  from,
  fromName: from.toUpperCase(),
  text: `${from} says ${id}`,
  at: 1,
  ...extra,
});

test('a resent message (same sender, same id) is stored once and returns the first copy', () => {
  const log = new ChatLog();
  const first = log.add(msg('a', 'm1', { at: 10 }));
  assert.equal(first.fresh, true);
  const again = log.add(msg('a', 'm1', { at: 20, text: 'changed' }));
  assert.equal(again.fresh, false);
  assert.equal(again.message.at, 10);
  assert.equal(again.message.text, 'a says m1');
  assert.equal(log.size, 1);
  assert.equal(log.add(msg('b', 'm1')).fresh, true, 'the same id from another sender is another message');
});

test('history keeps the last N messages in order', () => {
  const log = new ChatLog(3, 10);
  for (let i = 1; i <= 5; i++) log.add(msg('a', `m${i}`));
  assert.deepEqual(
    log.visibleTo('x').map((m) => m.id),
    ['m3', 'm4', 'm5'],
  );
  assert.equal(log.add(msg('a', 'm1')).fresh, false, 'keys outlive the history window');
});

test('de-duplication memory is bounded', () => {
  const log = new ChatLog(2, 3);
  for (let i = 1; i <= 4; i++) log.add(msg('a', `m${i}`));
  assert.equal(log.add(msg('a', 'm1')).fresh, true, 'the oldest key was forgotten');
  assert.equal(log.add(msg('a', 'm4')).fresh, false);
});

test('private messages are visible to their sender and recipient only', () => {
  const log = new ChatLog();
  log.add(msg('a', 'pub'));
  log.add(msg('a', 'priv', { to: 'b' }));
  assert.deepEqual(
    log.visibleTo('b').map((m) => m.id),
    ['pub', 'priv'],
  );
  assert.deepEqual(
    log.visibleTo('a').map((m) => m.id),
    ['pub', 'priv'],
  );
  assert.deepEqual(
    log.visibleTo('c').map((m) => m.id),
    ['pub'],
  );
});

test('bad sizes are refused', () => {
  assert.throws(() => new ChatLog(0, 10), TypeError);
  assert.throws(() => new ChatLog(10, 5), TypeError);
});
