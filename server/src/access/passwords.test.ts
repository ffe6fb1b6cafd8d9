import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashPassword, verifyPassword } from './passwords';

test('hashes are salted and verify only the right password', async () => {
  const a = await hashPassword('open sesame');
  const b = await hashPassword('open sesame');
  assert.notEqual(a, b, 'two hashes of one password differ (salt)');
  assert.match(a, /^scrypt\$16384\$8\$1\$[\w-]+\$[\w-]+$/);
  assert.doesNotMatch(a, /sesame/);
  assert.equal(await verifyPassword('open sesame', a), true);
  assert.equal(await verifyPassword('open sesame ', a), false);
  assert.equal(await verifyPassword('', a), false);
});

test('malformed stored hashes never match', async () => {
  for (const bad of ['', 'plain', 'scrypt$1$2$3', 'md5$16384$8$1$abc$def', 'scrypt$16384$8$1$abc$short']) {
    assert.equal(await verifyPassword('x', bad), false, bad);
  }
});
