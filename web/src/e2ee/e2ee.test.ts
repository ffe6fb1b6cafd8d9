import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  clearPrefixBytes,
  decryptFrame,
  encryptFrame,
  deriveSenderKey,
  frameHeader,
  FrameDecryptError,
  RoomKeyring,
  senderTag,
  TAG_BYTES,
  TRAILER_BYTES,
} from './frameCrypto';
import {
  decodeRoomKey,
  encodeRoomKey,
  generateRoomKey,
  roomKeyFromFragment,
  roomKeyFromPassphrase,
  RoomKeyError,
  withRoomKey,
} from './roomKey';
import { SAS_EMOJI, sdpFingerprint, verificationCode } from './verification';

const vp8Key = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7 + 1) & 0xff);

test('a room key survives the link fragment, and a damaged one is refused with a reason', () => {
  const key = generateRoomKey();
  const url = withRoomKey('https://meet.example/call/ann/room?x=1#other=2', key);
  assert.match(url, /#other=2&key=[A-Za-z0-9_-]{43}$/);
  assert.deepEqual(roomKeyFromFragment(new URL(url).hash), key);
  assert.equal(roomKeyFromFragment('#nothing=1'), null);
  assert.equal(decodeRoomKey(encodeRoomKey(key)).length, 32);
  assert.throws(() => decodeRoomKey(encodeRoomKey(key).slice(0, 30)), /cut short/);
  assert.throws(() => decodeRoomKey('abc$'), RoomKeyError);
  assert.throws(() => encodeRoomKey(new Uint8Array(5)), /32 bytes/);
});

test('a passphrase gives the same key for the same room, another key for another room', async () => {
  const a = await roomKeyFromPassphrase('correct horse battery', 'standup');
  assert.deepEqual(await roomKeyFromPassphrase('correct horse battery', 'standup'), a);
  assert.notDeepEqual(await roomKeyFromPassphrase('correct horse battery', 'retro'), a);
  await assert.rejects(roomKeyFromPassphrase('short', 'standup'), /at least 8/);
});

test('a sender tag is 4 bytes of a hash of the id: stable, and different for another id', async () => {
  const tag = await senderTag('alice');
  assert.match(tag, /^[0-9a-f]{8}$/);
  assert.equal(await senderTag('alice'), tag);
  assert.notEqual(await senderTag('bob'), tag);
  await assert.rejects(deriveSenderKey(generateRoomKey(), 0, 'alice'), /8 hex digits/);
  await assert.rejects(deriveSenderKey(generateRoomKey(), 256, tag), /0-255/);
});

test('a frame round-trips; its codec prefix stays in clear and the rest does not', async () => {
  const tag = await senderTag('alice');
  const key = await deriveSenderKey(generateRoomKey(), 3, tag);
  const frame = vp8Key(500);
  const sealed = await encryptFrame(key, tag, 3, frame, clearPrefixBytes('video', true));
  assert.equal(sealed.length, frame.length + TAG_BYTES + TRAILER_BYTES);
  assert.deepEqual(sealed.subarray(0, 10), frame.subarray(0, 10), 'the VP8 keyframe header is readable');
  assert.notDeepEqual(sealed.subarray(10, 40), frame.subarray(10, 40), 'the payload is not');
  assert.deepEqual(frameHeader(sealed), { tag, epoch: 3 });
  assert.deepEqual(await decryptFrame(sealed, (t, e) => (t === tag && e === 3 ? key : null)), frame);
  // Two encryptions of the same frame differ (a fresh IV each).
  assert.notDeepEqual(await encryptFrame(key, tag, 3, frame, 3), await encryptFrame(key, tag, 3, frame, 3));
  // Frames shorter than the prefix (an Opus DTX packet) still round-trip.
  const tiny = Uint8Array.of(0xf8);
  const sealedTiny = await encryptFrame(key, tag, 3, tiny, clearPrefixBytes('audio', false));
  assert.deepEqual(await decryptFrame(sealedTiny, () => key), tiny);
});

test('a wrong key, a touched prefix or a touched trailer fails authentication; short or unknown frames say so', async () => {
  const room = generateRoomKey();
  const tag = await senderTag('alice');
  const alice = await deriveSenderKey(room, 0, tag);
  const sealed = await encryptFrame(alice, tag, 0, vp8Key(200), 3);
  const wrong = await deriveSenderKey(generateRoomKey(), 0, tag);
  const reason = async (data: Uint8Array, key: CryptoKey | null): Promise<string> => {
    try {
      await decryptFrame(data, () => key);
      return 'decrypted';
    } catch (err) {
      assert.ok(err instanceof FrameDecryptError);
      return err.reason;
    }
  };
  assert.equal(await reason(sealed, wrong), 'authentication');
  assert.equal(
    await reason(sealed, await deriveSenderKey(room, 0, await senderTag('bob'))),
    'authentication',
    "another sender's key",
  );
  const retagged = sealed.slice();
  retagged.set(Uint8Array.from([1, 2, 3, 4]), retagged.length - 6);
  assert.equal(await reason(retagged, alice), 'authentication', 'the sender tag is authenticated');
  const prefix = sealed.slice();
  prefix[0]! ^= 1;
  assert.equal(await reason(prefix, alice), 'authentication', 'the clear prefix is authenticated');
  const iv = sealed.slice();
  iv[iv.length - 5]! ^= 1;
  assert.equal(await reason(iv, alice), 'authentication');
  assert.equal(await reason(sealed.subarray(0, 20), alice), 'too-short');
  assert.equal(await reason(sealed, null), 'unknown-epoch');
});

test('the keyring keeps the previous epoch readable after a rotation, and forgets older ones', async () => {
  const k0 = generateRoomKey();
  const k1 = generateRoomKey();
  const k2 = generateRoomKey();
  const bob = await senderTag('bob');
  const ring = new RoomKeyring(k0, 0);
  const before = await encryptFrame((await ring.keyFor(bob, 0))!, bob, 0, vp8Key(100), 3);
  ring.rotate(k1, 1);
  assert.equal(ring.epoch, 1);
  const after = await encryptFrame((await ring.keyFor(bob, 1))!, bob, 1, vp8Key(100), 3);
  const receiver = new RoomKeyring(k0, 0);
  receiver.rotate(k1, 1);
  for (const f of [before, after])
    assert.deepEqual(await decryptFrame(f, (t, e) => receiver.keyFor(t, e)), vp8Key(100));
  receiver.rotate(k2, 2);
  assert.equal(receiver.keyFor(bob, 0), null, 'two rotations later, epoch 0 is gone');
  assert.deepEqual(await decryptFrame(after, (t, e) => receiver.keyFor(t, e)), vp8Key(100));
});

test("after rotations, a newcomer's frames under the link key are read for a while, its own only", async () => {
  const [k0, k1, k2] = [generateRoomKey(), generateRoomKey(), generateRoomKey()];
  const [newcomer, other] = [await senderTag('newcomer'), await senderTag('other')];
  let now = 1_000;
  const ring = new RoomKeyring(k0, 0, () => now);
  ring.rotate(k1, 1);
  ring.rotate(k2, 2);
  // What the newcomer sends before it is handed key 2: its own key under the link's key.
  const first = await encryptFrame(await deriveSenderKey(k0, 0, newcomer), newcomer, 0, vp8Key(80), 10);
  const forged = await encryptFrame(await deriveSenderKey(k0, 0, other), other, 0, vp8Key(80), 10);
  await assert.rejects(
    decryptFrame(first, (t, e) => ring.keyFor(t, e)),
    FrameDecryptError,
    'not admitted yet',
  );
  ring.admit(newcomer, 10_000);
  assert.deepEqual(await decryptFrame(first, (t, e) => ring.keyFor(t, e)), vp8Key(80));
  await assert.rejects(
    decryptFrame(forged, (t, e) => ring.keyFor(t, e)),
    FrameDecryptError,
    'only the admitted sender',
  );
  assert.deepEqual(ring.epochs.sort(), [1, 2], 'the link key is not back for anyone else');
  now += 10_001;
  assert.equal(ring.keyFor(newcomer, 0), null, 'the admission ends');
  await assert.rejects(
    decryptFrame(first, (t, e) => ring.keyFor(t, e)),
    FrameDecryptError,
  );
  // A keyring made for a rotated key (no link key) has nothing to admit with.
  const late = new RoomKeyring(k2, 2, () => now);
  late.admit(newcomer, 10_000);
  assert.equal(late.keyFor(newcomer, 0), null);
});

test('the keyring decrypts a key added ahead of its use, and keeps the epoch used before a switch', async () => {
  const [k0, k1, k2] = [generateRoomKey(), generateRoomKey(), generateRoomKey()];
  const bob = await senderTag('bob');
  const ring = new RoomKeyring(k0, 0);
  ring.add(k1, 1);
  assert.equal(ring.epoch, 0, 'adding a key does not switch encryption to it');
  assert.ok(ring.keyFor(bob, 1), 'but frames of the new epoch decrypt already');
  assert.throws(() => ring.use(7), /no key for epoch 7/);
  ring.use(1);
  assert.deepEqual(ring.epochs.sort(), [0, 1]);
  ring.add(k2, 2);
  ring.use(2);
  assert.deepEqual(ring.epochs.sort(), [1, 2], 'epoch 0 went two switches later');
  // A tie replaced the key of an epoch: frames under the old one no longer decrypt.
  const sealed = await encryptFrame((await ring.keyFor(bob, 2))!, bob, 2, vp8Key(50), 3);
  ring.add(generateRoomKey(), 2);
  await assert.rejects(
    decryptFrame(sealed, (t, e) => ring.keyFor(t, e)),
    FrameDecryptError,
  );
});

test('both sides of a pair compute the same code; a swapped identity or another room key changes it', async () => {
  const room = generateRoomKey();
  const alice = { id: 'a1', identities: ['AB:CD:01'] };
  const bob = { id: 'b2', identities: ['ef:01:23', 'PUB-bob'] };
  const onAlice = await verificationCode(room, alice, bob);
  const onBob = await verificationCode(room, bob, { id: 'a1', identities: ['ab:cd:01'] });
  assert.deepEqual(onAlice, onBob);
  assert.equal(onAlice.emoji.length, 6);
  assert.match(onAlice.digits, /^\d{4} \d{4} \d{4}$/);
  for (const e of onAlice.emoji) assert.ok(SAS_EMOJI.some(([s, n]) => s === e.symbol && n === e.name));
  const swapped = await verificationCode(room, alice, { id: 'b2', identities: ['66:66:66', 'PUB-bob'] });
  assert.notDeepEqual(swapped, onAlice);
  assert.notDeepEqual(await verificationCode(generateRoomKey(), alice, bob), onAlice);
  assert.equal(new Set(SAS_EMOJI.map(([s]) => s)).size, 64);
});

test('the DTLS fingerprint is read from an SDP', () => {
  const sdp = 'v=0\r\na=group:BUNDLE 0\r\na=fingerprint:sha-256 ab:CD:12\r\na=setup:actpass\r\n';
  assert.equal(sdpFingerprint(sdp), 'AB:CD:12');
  assert.equal(sdpFingerprint('v=0\r\n'), null);
});
