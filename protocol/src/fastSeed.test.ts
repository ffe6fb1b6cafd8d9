import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mutate, rng } from './generatedPayloads';
import { isPlainSeedData } from './fastSeed';
import { CANDIDATE_MAX, SDP_MAX } from './limits';
import { SEED_ROOM_MAX, SEED_USERNAME_MAX, seedDataSchema } from './seed';

const line = 'candidate:842163049 1 udp 1677729535 198.18.0.2 51234 typ srflx raddr 0.0.0.0 rport 0 generation 0';
const valid: unknown[] = [
  { username: 'alice', room: 'Room 1', data: { type: 'offer', sdp: 'v=0\r\n' } },
  { username: '', room: 'r'.repeat(SEED_ROOM_MAX), data: { type: 'answer', sdp: 's'.repeat(SDP_MAX) } },
  {
    username: 'u'.repeat(SEED_USERNAME_MAX),
    room: 'r',
    data: {
      type: 'candidate',
      candidate: { candidate: line, sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'x1Yz' },
    },
  },
  { username: 'bob', room: 'r', data: { type: 'candidate', candidate: null } },
  {
    username: 'bob',
    room: 'r',
    data: { type: 'candidate', candidate: { candidate: '', sdpMid: null, sdpMLineIndex: null } },
  },
];

/** Keys a mutation may add. */
const EXTRA_KEYS = ['extra', 'sdp', 'type', 'candidate', 'token', 'usernameFragment', 'sdpMid'];

const probes: unknown[] = [
  undefined,
  null,
  0,
  -1,
  1.5,
  NaN,
  7,
  '',
  'x',
  'offer',
  'answer',
  'pranswer',
  'candidate',
  'r'.repeat(SEED_ROOM_MAX + 1),
  'u'.repeat(SEED_USERNAME_MAX + 1),
  'c'.repeat(CANDIDATE_MAX),
  'c'.repeat(CANDIDATE_MAX + 1),
  '"'.repeat(200),
  '\u0000'.repeat(180),
  's'.repeat(SDP_MAX + 1),
  'm'.repeat(65),
  'u'.repeat(257),
  true,
  [],
  {},
  [1],
  { a: 1 },
];

describe('isPlainSeedData, the hot-path check of a seed relay', () => {
  test('accepts what the original client sends (and the schema accepts)', () => {
    for (const p of valid) {
      assert.equal(seedDataSchema.safeParse(p).success, true, JSON.stringify(p).slice(0, 200));
      assert.equal(isPlainSeedData(p), true, JSON.stringify(p).slice(0, 200));
    }
  });

  test('a candidate with fields the client added, or strings long enough to need sizing, takes the schema path', () => {
    const extra = { username: 'a', room: 'r', data: { type: 'candidate', candidate: { candidate: line }, from: 'a' } };
    assert.equal(isPlainSeedData(extra), false);
    assert.equal(seedDataSchema.safeParse(extra).success, true);
    const long = { username: 'a', room: 'r', data: { type: 'candidate', candidate: { candidate: 'c'.repeat(500) } } };
    assert.equal(isPlainSeedData(long), false);
    assert.equal(seedDataSchema.safeParse(long).success, true);
  });

  test('never accepts what the schema refuses (10,000 generated payloads)', () => {
    const random = rng(20261202);
    let refused = 0;
    for (let i = 0; i < 10_000; i++) {
      let p = valid[i % valid.length];
      const steps = 1 + Math.floor(random() * 3);
      for (let s = 0; s < steps; s++) p = mutate(p, random, probes, EXTRA_KEYS);
      const schema = seedDataSchema.safeParse(p).success;
      if (isPlainSeedData(p))
        assert.equal(schema, true, `accepted a payload the schema refuses: ${JSON.stringify(p)?.slice(0, 300)}`);
      if (!schema) refused++;
    }
    assert.ok(refused > 3_000, `only ${refused} refused payloads generated`);
  });
});
