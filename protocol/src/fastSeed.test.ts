import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isPlainSeedData } from './fastSeed';
import { CANDIDATE_MAX, SDP_MAX } from './limits';
import { SEED_ROOM_MAX, SEED_USERNAME_MAX, seedDataSchema } from './seed';

/** A small seeded generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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

function paths(v: unknown, prefix: string[] = []): string[][] {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return [prefix];
  const out: string[][] = [prefix];
  for (const [k, child] of Object.entries(v)) out.push(...paths(child, [...prefix, k]));
  return out;
}

function mutate(base: unknown, random: () => number): unknown {
  const copy = structuredClone(base) as Record<string, unknown>;
  const all = paths(copy);
  const path = all[Math.floor(random() * all.length)] as string[];
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  if (path.length === 0) return pick(probes);
  let parent: Record<string, unknown> = copy;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string, unknown>;
  const key = path.at(-1) as string;
  const action = random();
  if (action < 0.6) parent[key] = pick(probes);
  else if (action < 0.8) delete parent[key];
  else parent[pick(['extra', 'sdp', 'type', 'candidate', 'token', 'usernameFragment', 'sdpMid'])] = pick(probes);
  return copy;
}

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
      for (let s = 0; s < steps; s++) p = mutate(p, random);
      const schema = seedDataSchema.safeParse(p).success;
      if (isPlainSeedData(p))
        assert.equal(schema, true, `accepted a payload the schema refuses: ${JSON.stringify(p)?.slice(0, 300)}`);
      if (!schema) refused++;
    }
    assert.ok(refused > 3_000, `only ${refused} refused payloads generated`);
  });
});
