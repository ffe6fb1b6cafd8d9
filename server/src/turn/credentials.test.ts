import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { mintTurnCredential, turnPassword, verifyTurnCredential } from './credentials';

const now = Date.UTC(2026, 10, 28, 12, 0, 0);

test('the username is <expiry>:<participant> and the password is base64 HMAC-SHA1 of it', () => {
  const c = mintTurnCredential('s3cret', 'k3J9abc', 3600, now);
  assert.equal(c.expiresAt, now / 1000 + 3600);
  assert.equal(c.username, `${now / 1000 + 3600}:k3J9abc`);
  // Independent computation of what coturn's use-auth-secret checks.
  const expected = createHmac('sha1', 's3cret').update(c.username, 'utf8').digest().toString('base64');
  assert.equal(c.credential, expected);
  assert.equal(turnPassword('s3cret', c.username), expected);
  // Known vector: HMAC-SHA1(key="key", "The quick brown fox jumps over the lazy dog").
  assert.equal(
    Buffer.from(turnPassword('key', 'The quick brown fox jumps over the lazy dog'), 'base64').toString('hex'),
    'de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9',
  );
});

test('credentials verify until the TTL and expire after it', () => {
  const c = mintTurnCredential('s3cret', 'p1', 600, now);
  assert.equal(verifyTurnCredential('s3cret', c.username, c.credential, now), 'ok');
  assert.equal(verifyTurnCredential('s3cret', c.username, c.credential, now + 599_000), 'ok');
  assert.equal(verifyTurnCredential('s3cret', c.username, c.credential, now + 600_000), 'expired');
  assert.equal(verifyTurnCredential('other', c.username, c.credential, now), 'bad-password');
  // Stretching the expiry breaks the signature.
  const stretched = c.username.replace(/^\d+/, String(c.expiresAt + 86_400));
  assert.equal(verifyTurnCredential('s3cret', stretched, c.credential, now), 'bad-password');
  assert.equal(verifyTurnCredential('s3cret', 'p1', c.credential, now), 'malformed');
});

test('every mint is bound to its participant; misuse is refused', () => {
  const a = mintTurnCredential('s', 'alice', 60, now);
  const b = mintTurnCredential('s', 'bob', 60, now);
  assert.notEqual(a.credential, b.credential);
  assert.throws(() => mintTurnCredential('', 'alice', 60, now), TypeError);
  assert.throws(() => mintTurnCredential('s', 'alice', 0, now), TypeError);
  assert.throws(() => mintTurnCredential('s', 'a:b', 60, now), TypeError);
});
