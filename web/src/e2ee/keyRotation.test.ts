import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  makeIdentity,
  openHello,
  parseKeyExchange,
  sealHello,
  unwrapRoomKey,
  wrapRoomKey,
  type HelloMessage,
} from './keyExchange';
import { distributor, epochNewer, KeyRotation, NEWCOMER_LINK_KEY_MS, nextEpoch, prefers } from './KeyRotation';
import { generateRoomKey } from './roomKey';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('a hello authenticates with the room key, for its sender and room only', async () => {
  const roomKey = generateRoomKey();
  const me = await makeIdentity();
  const hello = await sealHello(roomKey, 'standup', 'alice', me);
  assert.ok(await openHello(roomKey, 'standup', 'alice', hello));
  assert.equal(await openHello(generateRoomKey(), 'standup', 'alice', hello), null, 'another room key');
  assert.equal(await openHello(roomKey, 'standup', 'mallory', hello), null, 'passed off as another sender');
  assert.equal(await openHello(roomKey, 'retro', 'alice', hello), null, 'replayed into another room');
  // The server swaps in its own public key: it cannot make the MAC without the room key.
  const server = await makeIdentity();
  assert.equal(await openHello(roomKey, 'standup', 'alice', { ...hello, pub: server.pub }), null);
  const forged = await sealHello(generateRoomKey(), 'standup', 'alice', server);
  assert.equal(await openHello(roomKey, 'standup', 'alice', forged), null);
  assert.equal(await openHello(roomKey, 'standup', 'alice', { ...hello, pub: 'AAAA' }), null, 'not a P-256 key');
});

test('a wrapped room key opens for its receiver only, bound to sender, receiver, epoch and origin', async () => {
  const [alice, bob, carol] = await Promise.all([makeIdentity(), makeIdentity(), makeIdentity()]);
  const roomKey = generateRoomKey();
  const pubOf = async (who: typeof alice, id: string): Promise<CryptoKey> =>
    (await openHello(roomKey, 'r', id, await sealHello(roomKey, 'r', id, who)))!;
  const [alicePub, bobPub] = [await pubOf(alice, 'a'), await pubOf(bob, 'b')];
  const next = generateRoomKey();
  const ctx = { room: 'r', from: 'a', to: 'b', epoch: 3, origin: 'a', inUse: false };
  const msg = await wrapRoomKey(alice.keys, bobPub, next, ctx);
  assert.equal(JSON.stringify(msg).length < 300, true, `a key message is small: ${JSON.stringify(msg).length}`);
  assert.deepEqual(parseKeyExchange(JSON.stringify(msg)), msg);
  assert.equal(hex((await unwrapRoomKey(bob.keys, alicePub, msg, 'r', 'a', 'b'))!), hex(next));
  assert.equal(await unwrapRoomKey(carol.keys, alicePub, msg, 'r', 'a', 'b'), null, 'someone else');
  assert.equal(await unwrapRoomKey(bob.keys, alicePub, msg, 'r', 'a', 'c'), null, 'another receiver');
  assert.equal(await unwrapRoomKey(bob.keys, alicePub, msg, 'r', 'x', 'b'), null, 'another sender');
  assert.equal(await unwrapRoomKey(bob.keys, alicePub, { ...msg, epoch: 4 }, 'r', 'a', 'b'), null, 'another epoch');
  assert.equal(await unwrapRoomKey(bob.keys, alicePub, { ...msg, origin: 'z' }, 'r', 'a', 'b'), null);
  assert.equal(await unwrapRoomKey(bob.keys, alicePub, { ...msg, inUse: true }, 'r', 'a', 'b'), null);
  await assert.rejects(wrapRoomKey(alice.keys, bobPub, new Uint8Array(5), ctx), /32 bytes/);
});

test('key-exchange bodies that are not well-formed are refused', () => {
  for (const body of [
    '',
    'null',
    '[]',
    '{"t":"hello","pub":"a b","mac":"x"}',
    '{"t":"hello","pub":"abc"}',
    '{"t":"key","epoch":256,"origin":"a","inUse":false,"iv":"aa","key":"bb"}',
    '{"t":"key","epoch":1.5,"origin":"a","inUse":false,"iv":"aa","key":"bb"}',
    '{"t":"key","epoch":1,"origin":"","inUse":false,"iv":"aa","key":"bb"}',
    '{"t":"key","epoch":1,"origin":"a","inUse":"no","iv":"aa","key":"bb"}',
    '{"t":"bye"}',
  ])
    assert.equal(parseKeyExchange(body), null, body);
});

test('epochs wrap past 255 (skipping 0, the link key) and still compare newer', () => {
  assert.equal(nextEpoch(0), 1);
  assert.equal(nextEpoch(254), 255);
  assert.equal(nextEpoch(255), 1);
  assert.ok(epochNewer(1, 0));
  assert.ok(!epochNewer(0, 1));
  assert.ok(!epochNewer(5, 5));
  assert.ok(epochNewer(1, 255), 'after the wrap');
  assert.ok(!epochNewer(255, 1));
});

test('which key wins: a newer epoch; on a tie an origin still here, then the lower id; never one made by someone gone', () => {
  const here = new Set(['a', 'b', 'c']);
  const present = (id: string): boolean => here.has(id);
  assert.ok(prefers({ epoch: 2, origin: 'c' }, { epoch: 1, origin: 'a' }, present));
  assert.ok(!prefers({ epoch: 1, origin: 'c' }, { epoch: 2, origin: 'a' }, present));
  assert.ok(prefers({ epoch: 2, origin: 'a' }, { epoch: 2, origin: 'b' }, present), 'tie: the lower id');
  assert.ok(!prefers({ epoch: 2, origin: 'b' }, { epoch: 2, origin: 'a' }, present));
  assert.ok(!prefers({ epoch: 2, origin: 'a' }, { epoch: 2, origin: 'a' }, present), 'the same key');
  assert.ok(prefers({ epoch: 2, origin: 'c' }, { epoch: 2, origin: 'x' }, present), 'tie: its origin left');
  assert.ok(!prefers({ epoch: 3, origin: 'x' }, { epoch: 2, origin: 'a' }, present), 'made by someone gone');
  assert.equal(distributor('m', ['q', 'c', 'z']), 'c');
  assert.equal(distributor('a', ['q', 'c']), 'a');
});

interface Member {
  rot: KeyRotation;
  /** Keys handed to the frame worker, by epoch (hex). */
  keys: Map<number, string>;
  /** The epoch it encrypts with. */
  used: number;
  /** Newcomers whose link-key frames it reads meanwhile (admitNewcomer), with how long. */
  admitted: Map<string, number>;
}

/** Participants' KeyRotations wired together as through the server, with one fake clock. */
class Room {
  readonly nodes = new Map<string, Member>();
  readonly #timers: Array<{ fn: () => void; at: number } | null> = [];
  #now = 0;
  /** Messages in flight: delivered by `settle`, in order. */
  readonly #wire: Array<{ from: string; to: string; body: string }> = [];
  /** Messages the server drops (`from>to`), e.g. to play a distributor leaving mid-rotation. */
  readonly drop = new Set<string>();
  /** Rewrites a body in transit (a server in the middle). */
  tamper: ((body: string) => string) | null = null;

  constructor(readonly linkKey = generateRoomKey()) {}

  join(id: string, linkKey: Uint8Array<ArrayBuffer> = this.linkKey): void {
    const others = [...this.nodes.keys()];
    const keys = new Map<number, string>();
    const node: Member = { keys, used: 0, admitted: new Map(), rot: null as unknown as KeyRotation };
    node.rot = new KeyRotation({
      room: 'room',
      selfId: id,
      linkKey,
      send: (to, body) => this.#wire.push({ from: id, to, body }),
      addKey: (epoch, key) => node.keys.set(epoch, hex(key)),
      useEpoch: (epoch) => (node.used = epoch),
      admitNewcomer: (who, ms) => node.admitted.set(who, ms),
      setTimeout: (fn, ms) => this.#timers.push({ fn, at: this.#now + ms }) - 1,
      clearTimeout: (h) => (this.#timers[h as number] = null),
      switchDelayMs: 1_000,
    });
    this.nodes.set(id, node);
    for (const o of others) this.nodes.get(o)!.rot.peerJoined(id);
    node.rot.enter(others);
  }

  leave(id: string): void {
    this.nodes.get(id)!.rot.close();
    this.nodes.delete(id);
    for (const n of this.nodes.values()) n.rot.peerLeft(id);
  }

  /** Deliver everything in flight (and what it causes) until the room is quiet. */
  async settle(): Promise<void> {
    for (let round = 0; round < 50; round++) {
      await Promise.all([...this.nodes.values()].map((n) => n.rot.idle()));
      if (this.#wire.length === 0) return;
      for (const m of this.#wire.splice(0)) {
        const to = this.nodes.get(m.to);
        if (!to || !this.nodes.has(m.from) || this.drop.has(`${m.from}>${m.to}`)) continue;
        to.rot.receive(m.from, this.tamper ? this.tamper(m.body) : m.body);
      }
    }
    throw new Error('the room never settled');
  }

  advance(ms: number): void {
    this.#now += ms;
    for (const [i, t] of this.#timers.entries()) {
      if (t && t.at <= this.#now) {
        this.#timers[i] = null;
        t.fn();
      }
    }
  }

  /** Per participant: the epoch it encrypts with and that epoch's key (`0:link` for the link key). */
  state(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [id, n] of this.nodes) out[id] = `${n.used}:${n.used === 0 ? 'link' : n.keys.get(n.used)}`;
    return out;
  }

  /** True when everyone encrypts with the same epoch and key. */
  agreed(): boolean {
    return new Set(Object.values(this.state())).size === 1;
  }
}

test('someone leaves: the lowest id makes the next key, the others switch after the delay, the one who left never gets it', async () => {
  const room = new Room();
  for (const id of ['b', 'a', 'c']) room.join(id);
  await room.settle();
  assert.deepEqual(room.state(), { a: '0:link', b: '0:link', c: '0:link' }, 'no rotation on joins into a fresh room');
  const leaver = room.nodes.get('a')!;
  room.leave('a');
  await room.settle();
  const [b, c] = [room.nodes.get('b')!, room.nodes.get('c')!];
  assert.equal(b.keys.get(1), c.keys.get(1), 'both hold the key of epoch 1');
  assert.equal(leaver.keys.size, 0, 'the one who left received no key');
  assert.deepEqual([b.used, c.used], [0, 0], 'nobody encrypts with it before the delay');
  room.advance(1_000);
  assert.ok(room.agreed());
  assert.equal(b.used, 1);
  // Someone else leaves later: epoch 2, made by b (still the lowest).
  room.join('d');
  await room.settle();
  room.leave('c');
  await room.settle();
  room.advance(1_000);
  assert.equal(room.nodes.get('b')!.used, 2);
  assert.ok(room.agreed(), JSON.stringify(room.state()));
});

test('a newcomer after a rotation gets the key in use from those who hold it and switches at once', async () => {
  const room = new Room();
  for (const id of ['a', 'b', 'c']) room.join(id);
  await room.settle();
  room.leave('c');
  await room.settle();
  room.advance(1_000);
  assert.equal(room.nodes.get('a')!.admitted.size, 0, 'nobody was new to a rotated room yet');
  // '0' sorts before everyone: the newcomer has the lowest id, and still gets the key.
  room.join('0');
  await room.settle();
  assert.equal(room.nodes.get('0')!.used, 1);
  // Until then it sent under the link's key: those holding key 1 read that meanwhile.
  for (const id of ['a', 'b']) assert.deepEqual([...room.nodes.get(id)!.admitted], [['0', NEWCOMER_LINK_KEY_MS]]);
  assert.equal(room.nodes.get('0')!.admitted.size, 0);
  assert.ok(room.agreed(), JSON.stringify(room.state()));
  // The newcomer, now the lowest id, makes the next key when someone leaves.
  room.leave('b');
  await room.settle();
  room.advance(1_000);
  assert.ok(room.agreed());
  assert.equal(room.nodes.get('a')!.used, 2);
});

test('two leaves in quick succession end on one key, newer than both', async () => {
  const room = new Room();
  for (const id of ['a', 'b', 'c', 'd', 'e']) room.join(id);
  await room.settle();
  room.leave('e');
  room.leave('d'); // before anything was delivered
  await room.settle();
  room.advance(1_000);
  assert.ok(room.agreed(), JSON.stringify(room.state()));
  assert.equal(room.nodes.get('a')!.used, 2);
});

test('the distributor leaves mid-rotation: the next lowest makes a newer key and nobody keeps the one who left', async () => {
  const room = new Room();
  for (const id of ['a', 'b', 'c', 'd']) room.join(id);
  await room.settle();
  // a makes epoch 1 when d leaves, but only b gets it before a leaves too.
  room.drop.add('a>c');
  room.leave('d');
  await room.settle();
  assert.ok(room.nodes.get('b')!.keys.has(1));
  assert.ok(!room.nodes.get('c')!.keys.has(1));
  room.leave('a');
  await room.settle();
  room.advance(1_000);
  assert.ok(room.agreed(), JSON.stringify(room.state()));
  const b = room.nodes.get('b')!;
  assert.equal(b.used, 2, 'b made epoch 2, after the epoch 1 it had from a');
});

test('a tie of one epoch from two origins settles on the one still here, or the lower id', async () => {
  const room = new Room();
  for (const id of ['a', 'b', 'c', 'd']) room.join(id);
  await room.settle();
  // a's epoch 1 reaches c but not b, then a leaves: b makes an epoch 1 of its own, and c
  // replaces a's (whose origin is gone) with it.
  room.drop.add('a>b');
  room.leave('d');
  await room.settle();
  const fromA = room.nodes.get('c')!.keys.get(1);
  assert.ok(fromA);
  room.leave('a');
  await room.settle();
  room.advance(1_000);
  assert.ok(room.agreed(), JSON.stringify(room.state()));
  assert.equal(room.nodes.get('c')!.used, 1);
  assert.notEqual(room.nodes.get('c')!.keys.get(1), fromA);
  assert.equal(room.nodes.get('c')!.keys.get(1), room.nodes.get('b')!.keys.get(1));
});

test('a newcomer arriving during a rotation ends on the new key', async () => {
  const room = new Room();
  for (const id of ['a', 'b', 'c']) room.join(id);
  await room.settle();
  room.leave('c');
  room.join('d'); // its hellos cross the new key on the wire
  await room.settle();
  room.advance(1_000);
  assert.ok(room.agreed(), JSON.stringify(room.state()));
  assert.equal(room.nodes.get('d')!.used, 1);
});

test('a server that swaps the public keys it relays gets no key through, and learns none', async () => {
  const room = new Room();
  for (const id of ['a', 'b', 'c']) room.join(id);
  const server = await makeIdentity();
  room.tamper = (body) => {
    const m = JSON.parse(body) as HelloMessage;
    return m.t === 'hello' ? JSON.stringify({ ...m, pub: server.pub }) : body;
  };
  await room.settle();
  room.leave('c');
  await room.settle();
  room.advance(1_000);
  // With no authentic public key, a has nobody to send the key to: b stays on the link key.
  assert.equal(room.nodes.get('b')!.keys.size, 0);
});

test('someone with another room key gets no rotated key', async () => {
  const room = new Room();
  room.join('a');
  room.join('b');
  room.join('e', generateRoomKey());
  await room.settle();
  room.join('c');
  await room.settle();
  room.leave('c');
  await room.settle();
  assert.ok(room.nodes.get('b')!.keys.has(1));
  assert.equal(room.nodes.get('e')!.keys.size, 0);
});

test('someone who left while we were away (seen at our rejoin) counts as a leave', async () => {
  const room = new Room();
  for (const id of ['a', 'b', 'c']) room.join(id);
  await room.settle();
  // a's signaling was down while c left: it hears of it only in its rejoin's list of who is here.
  const a = room.nodes.get('a')!;
  room.nodes.delete('c');
  room.nodes.get('b')!.rot.peerLeft('c');
  a.rot.enter(['b']);
  await room.settle();
  room.advance(1_000);
  assert.ok(room.agreed(), JSON.stringify(room.state()));
  assert.equal(a.used, 1);
});
