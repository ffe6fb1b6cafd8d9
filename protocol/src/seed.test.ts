import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SEED_EXTRA_MAX, seedDataSchema, seedJoinSchema } from './seed';

const sdp = 'v=0\r\n'.repeat(2_000);

test('seed data: fields beside sdp/candidate are kept within SEED_EXTRA_MAX and refused above it', () => {
  const ok = seedDataSchema.safeParse({ username: 'a', room: 'r', data: { type: 'offer', sdp, from: 'a' } });
  assert.ok(ok.success);
  assert.deepEqual(ok.data.data, { type: 'offer', sdp, from: 'a' });
  const big = { type: 'answer', sdp, note: 'x'.repeat(SEED_EXTRA_MAX) };
  assert.equal(seedDataSchema.safeParse({ username: 'a', room: 'r', data: big }).success, false);
  const many = Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`k${i}`, i]));
  assert.equal(
    seedDataSchema.safeParse({ username: 'a', room: 'r', data: { type: 'candidate', candidate: {}, ...many } }).success,
    false,
  );
});

test('seed join: an optional invitation token, bounded', () => {
  assert.ok(seedJoinSchema.safeParse({ username: 'a', room: 'r', token: 'a.b.c' }).success);
  assert.equal(seedJoinSchema.safeParse({ username: 'a', room: 'r', token: 7 }).success, false);
  assert.equal(seedJoinSchema.safeParse({ username: 'a', room: 'r', token: 't'.repeat(5_000) }).success, false);
});
