import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MessageLimiter, TokenBucket } from './RateLimiter';
import { WindowCounter } from './WindowCounter';

test('a token bucket allows a burst, then refills at its rate', () => {
  let t = 0;
  const b = new TokenBucket(10, 5, () => t);
  for (let i = 0; i < 5; i++) assert.ok(b.take());
  assert.equal(b.take(), false);
  t = 100; // 0.1 s at 10/s = 1 token
  assert.ok(b.take());
  assert.equal(b.take(), false);
  t = 10_000;
  let n = 0;
  while (b.take()) n++;
  assert.equal(n, 5, 'never more than the burst');
  assert.ok(new TokenBucket(0, 0, () => 0).take(), 'rate 0 = unlimited');
});

test('over the limit: one error per second, quiet refusals, then disconnect', () => {
  let t = 0;
  const m = new MessageLimiter(1, 2, 5, () => t);
  assert.equal(m.check(), 'pass');
  assert.equal(m.check(), 'pass');
  assert.equal(m.check(), 'refuse');
  assert.equal(m.check(), 'refuse-quietly');
  t = 1_000;
  assert.equal(m.check(), 'pass', 'one token refilled');
  assert.equal(m.check(), 'refuse', 'a second after the last error: told again');
  t = 1_500;
  assert.equal(m.check(), 'refuse-quietly', 'half a token is not enough');
  t = 2_600;
  assert.equal(m.check(), 'pass');
  for (let i = 0; i < 5; i++) m.check();
  assert.equal(m.check(), 'disconnect');
});

test('per-minute limits count per key in one-minute windows', () => {
  let t = 0;
  const l = new WindowCounter(2, () => t);
  assert.ok(l.take('a'));
  assert.ok(l.take('a'));
  assert.equal(l.take('a'), false);
  assert.ok(l.take('b'), 'other keys are counted apart');
  t = 60_000;
  assert.ok(l.take('a'));
  l.prune();
  assert.equal(l.size, 1, "b's ended window was dropped");
  assert.ok(new WindowCounter(0).take('x'), '0 = unlimited');
});
