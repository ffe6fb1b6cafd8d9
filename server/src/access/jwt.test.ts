import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { signJwt, verifyJwt } from './jwt';

const secret = 's'.repeat(32);
const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

test('a signed token verifies and returns its claims', () => {
  const t = signJwt({ room: 'r', exp: 10 }, secret);
  assert.deepEqual(verifyJwt(t, secret), { ok: true, claims: { room: 'r', exp: 10 } });
});

test('matches an independent HS256 implementation (RFC 7515 layout)', () => {
  const data = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ a: 1 })}`;
  const sig = createHmac('sha256', secret).update(data).digest('base64url');
  assert.ok(verifyJwt(`${data}.${sig}`, secret).ok);
  assert.equal(signJwt({ a: 1 }, secret), `${data}.${sig}`);
});

test('tampering, other secrets, alg none/other and malformed tokens are refused', () => {
  const t = signJwt({ room: 'r', exp: 10 }, secret);
  const [h, , s] = t.split('.');
  const cases: Array<[string, string]> = [
    [`${h}.${b64({ room: 'other', exp: 10 })}.${s}`, 'signature'],
    [signJwt({ room: 'r' }, 'x'.repeat(32)), 'signature'],
    [`${b64({ alg: 'none' })}.${b64({ room: 'r' })}.`, 'malformed'],
    [`${b64({ alg: 'none' })}.${b64({ room: 'r' })}.${s}`, 'algorithm'],
    [`${b64({ alg: 'HS512' })}.${b64({ room: 'r' })}.${s}`, 'algorithm'],
    [`${b64({ alg: 'HS256', crit: ['exp'] })}.${b64({ room: 'r' })}.${s}`, 'unsupported critical header'],
    ['a.b', 'malformed'],
    ['a.b.c.d', 'malformed'],
    ['', 'malformed'],
    ['e30.e30.!!', 'malformed'],
    ['bm90IGpzb24.e30.abc', 'algorithm'],
  ];
  for (const [token, reason] of cases) assert.deepEqual(verifyJwt(token, secret), { ok: false, reason }, token);
  const arrayClaims = `${b64({ alg: 'HS256' })}.${b64([1])}`;
  const sig = createHmac('sha256', secret).update(arrayClaims).digest('base64url');
  assert.deepEqual(verifyJwt(`${arrayClaims}.${sig}`, secret), { ok: false, reason: 'claims' });
});
