import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSealedChat } from '@parley/protocol';
import { ChatCipher } from './chatCrypto';
import { RoomKeyring, senderTag } from './frameCrypto';
import { DecryptCounters, transformFrame, type EncodedFrameLike } from './frameTransform';
import type { StreamOptions } from './messages';
import { generateRoomKey } from './roomKey';

const frame = (bytes: number[], type?: string): EncodedFrameLike => ({
  data: Uint8Array.from(bytes).buffer,
  ...(type ? { type } : {}),
});

const video = (op: 'encrypt' | 'decrypt', participant = ''): StreamOptions => ({
  op,
  kind: 'video',
  id: `${op}-1`,
  participant,
});

test('a sent frame decrypts at a receiver with the same room key, its codec prefix left in clear', async () => {
  const room = generateRoomKey();
  const alice = { keyring: new RoomKeyring(room), selfTag: await senderTag('alice') };
  const bob = { keyring: new RoomKeyring(room), selfTag: await senderTag('bob') };
  const counters = new DecryptCounters();
  const original = Array.from({ length: 300 }, (_, i) => i & 0xff);
  const f = frame(original, 'key');
  assert.equal(await transformFrame(f, video('encrypt'), alice, counters), true);
  const sent = new Uint8Array(f.data);
  assert.deepEqual([...sent.subarray(0, 10)], original.slice(0, 10), 'the keyframe header stays readable');
  assert.notDeepEqual([...sent.subarray(10, 40)], original.slice(10, 40));
  assert.equal(await transformFrame(f, video('decrypt', 'alice'), bob, counters), true);
  assert.deepEqual([...new Uint8Array(f.data)], original);
  assert.deepEqual(counters.takeReports(), [{ id: 'decrypt-1', participant: 'alice', ok: 1, failed: 0 }]);
  assert.deepEqual(counters.takeReports(), [], 'counts are drained');
});

test('a receiver with another key drops the frame and counts it as failed; no key yet drops quietly', async () => {
  const alice = { keyring: new RoomKeyring(generateRoomKey()), selfTag: await senderTag('alice') };
  const eve = { keyring: new RoomKeyring(generateRoomKey()), selfTag: await senderTag('eve') };
  const counters = new DecryptCounters();
  const f = frame([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 'delta');
  await transformFrame(f, video('encrypt'), alice, counters);
  const sealed = f.data.slice(0);
  assert.equal(await transformFrame(f, video('decrypt', 'alice'), eve, counters), false);
  assert.deepEqual(counters.takeReports(), [{ id: 'decrypt-1', participant: 'alice', ok: 0, failed: 1 }]);
  assert.equal(await transformFrame({ data: sealed }, video('decrypt', 'alice'), null, counters), false);
  assert.deepEqual(counters.takeReports(), []);
  // A plain (unencrypted) frame is not passed on either.
  assert.equal(await transformFrame(frame([0x9d, 1, 2, 3]), video('decrypt', 'alice'), eve, counters), false);
  // Empty frames pass as they are.
  assert.equal(await transformFrame(frame([]), video('encrypt'), alice, counters), true);
});

test('chat seals to a text the server can check but not read, bound to its sender and id', async () => {
  const room = generateRoomKey();
  const cipher = new ChatCipher(room);
  const env = { room: 'r1', from: 'alice', id: 'm1' };
  const sealed = await cipher.seal('hello 👋', env);
  assert.ok(isSealedChat(sealed));
  assert.ok(!sealed.includes('hello'));
  assert.equal(await new ChatCipher(room).open(sealed, env), 'hello 👋');
  assert.equal(await new ChatCipher(room).open(sealed, { ...env, from: 'mallory' }), null, 'another sender');
  assert.equal(await new ChatCipher(room).open(sealed, { ...env, to: 'bob' }), null, 'made private');
  assert.equal(await new ChatCipher(generateRoomKey()).open(sealed, env), null, 'another key');
  assert.equal(await cipher.open('plain text', env), null);
  const long = await cipher.seal('é'.repeat(2_000), env);
  assert.ok(isSealedChat(long), 'the longest message still fits');
});

test('the address says how a call is encrypted, and the invitation link carries the key in its fragment only', async () => {
  const { linkE2ee, invitationLink } = await import('./linkChoice');
  const { encodeRoomKey } = await import('./roomKey');
  const key = generateRoomKey();
  const link = invitationLink('https://meet.example', 'team room', { source: 'link', key });
  assert.match(link, /^https:\/\/meet\.example\/r\/team%20room#key=[A-Za-z0-9_-]{43}$/);
  const parsed = linkE2ee(new URL(link).hash);
  assert.equal(parsed.mode, 'link');
  assert.deepEqual(parsed.mode === 'link' && parsed.key, key);
  assert.equal(linkE2ee(`#token=abc&key=${encodeRoomKey(key)}`).mode, 'link', 'beside an invitation token');
  assert.equal(linkE2ee('#key=short').mode, 'broken');
  assert.equal(linkE2ee('#e2ee=passphrase').mode, 'passphrase');
  assert.equal(linkE2ee('').mode, 'off');
  assert.equal(invitationLink('https://m', 'r', { source: 'passphrase' }), 'https://m/r/r#e2ee=passphrase');
  assert.equal(invitationLink('https://m', 'r', null), 'https://m/r/r');
});
