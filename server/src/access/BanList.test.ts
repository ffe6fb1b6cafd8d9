import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BanList } from './BanList';

test('a ban matches any of its keys in its room until it expires', () => {
  let t = 0;
  const bans = new BanList(() => t);
  bans.ban('r', ['client:1', 'p1'], 10_000);
  assert.equal(bans.remaining('r', ['p1']), 10_000);
  assert.equal(bans.remaining('r', ['client:2', 'client:1']), 10_000);
  assert.equal(bans.remaining('other', ['p1']), 0);
  assert.equal(bans.remaining('r', ['p2']), 0);
  t = 9_999;
  assert.equal(bans.remaining('r', ['p1']), 1);
  t = 10_000;
  assert.equal(bans.remaining('r', ['p1']), 0);
  assert.equal(bans.size, 1, 'checking drops only the keys it looked at');
  bans.prune();
  assert.equal(bans.size, 0);
});

test('a zero window bans nobody', () => {
  const bans = new BanList(() => 0);
  bans.ban('r', ['k'], 0);
  assert.equal(bans.remaining('r', ['k']), 0);
});
