import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { Sha256 } from './sha256';

const reference = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

test('known vectors', () => {
  assert.equal(new Sha256().hex(), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(
    new Sha256().update(new TextEncoder().encode('abc')).hex(),
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  );
});

test('every length around block and padding boundaries matches node:crypto', () => {
  const data = randomBytes(300);
  for (let n = 0; n <= 300; n++) {
    const slice = data.subarray(0, n);
    assert.equal(new Sha256().update(slice).hex(), reference(slice), `length ${n}`);
  }
});

test('any split into updates gives the same digest as one update', () => {
  const data = randomBytes(1 << 20);
  const expected = reference(data);
  for (const step of [1, 7, 63, 64, 65, 1000, 262_144]) {
    const h = new Sha256();
    const limit = step === 1 ? 4096 : data.length; // byte-at-a-time on a prefix only (slow)
    for (let i = 0; i < limit; i += step) h.update(data.subarray(i, Math.min(i + step, limit)));
    assert.equal(h.hex(), step === 1 ? reference(data.subarray(0, 4096)) : expected, `step ${step}`);
  }
});

test('misuse after digest throws', () => {
  const h = new Sha256();
  h.digest();
  assert.throws(() => h.update(new Uint8Array(1)));
  assert.throws(() => h.digest());
});
