import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mutate, rng } from './generatedPayloads';
import { isPlainSignal } from './fastSignal';
import { CANDIDATE_MAX, ID_MAX, SDP_MAX } from './limits';
import { GEN_MAX, parseClientEvent } from './messages';

const valid: unknown[] = [
  { to: 'p1', data: { kind: 'candidate', candidate: null } },
  {
    to: 'p1',
    data: {
      kind: 'candidate',
      candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 },
    },
  },
  {
    to: 'p1',
    data: {
      kind: 'candidate',
      candidate: { candidate: '', sdpMid: null, sdpMLineIndex: null, usernameFragment: 'abcd' },
      gen: 2,
    },
  },
  { to: 'x'.repeat(ID_MAX), data: { kind: 'description', description: { type: 'offer', sdp: 'v=0\r\n' } } },
  { to: 'p2', data: { kind: 'description', description: { type: 'answer', sdp: 's'.repeat(SDP_MAX) }, gen: GEN_MAX } },
];

/** Keys a mutation may add. */
const EXTRA_KEYS = ['extra', 'gen', 'sdp', 'kind', 'candidate', '__proto__x'];

/** Values that probe each check: wrong types, bounds just inside and just outside, odd shapes. */
const probes: unknown[] = [
  undefined,
  null,
  0,
  -1,
  1.5,
  NaN,
  Infinity,
  -0,
  1024,
  1025,
  GEN_MAX,
  GEN_MAX + 1,
  '',
  'x',
  'offer',
  'answer',
  'pranswer',
  'candidate',
  'description',
  'x'.repeat(ID_MAX + 1),
  'c'.repeat(CANDIDATE_MAX),
  'c'.repeat(CANDIDATE_MAX + 1),
  'u'.repeat(257),
  'm'.repeat(65),
  true,
  [],
  {},
  [1],
  { a: 1 },
];

describe('isPlainSignal, the hot-path check of a signal', () => {
  test('accepts the usual signals (the ones the schema accepts)', () => {
    for (const p of valid) {
      assert.equal(parseClientEvent('signal', p).ok, true, JSON.stringify(p).slice(0, 200));
      assert.equal(isPlainSignal(p), true, JSON.stringify(p).slice(0, 200));
    }
  });

  test('never accepts what the schema refuses (30,000 generated payloads)', () => {
    const random = rng(20261128);
    let refused = 0;
    for (let i = 0; i < 30_000; i++) {
      let p = valid[i % valid.length];
      const steps = 1 + Math.floor(random() * 3);
      for (let s = 0; s < steps; s++) p = mutate(p, random, probes, EXTRA_KEYS);
      const schema = parseClientEvent('signal', p).ok;
      if (isPlainSignal(p))
        assert.equal(schema, true, `accepted a payload the schema refuses: ${JSON.stringify(p)?.slice(0, 300)}`);
      if (!schema) refused++;
    }
    // The generator must reach refusals, or the test proves nothing.
    assert.ok(refused > 10_000, `only ${refused} refused payloads generated`);
  });
});
