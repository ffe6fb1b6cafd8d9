import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import {
  E2EE_SIGNAL_MAX,
  SEALED_CHAT_PREFIX,
  type AnySignalData,
  type ChatMessage,
  type ChatSendReply,
  type JoinReply,
  type OkReply,
} from '@parley/protocol';
import type { ParleyServer } from '../src/ParleyServer';
import { closeAllSockets, collect, connect, join, request, sleep, startTestServer } from './support';

let server: ParleyServer;
let url: string;

before(async () => {
  ({ server, url } = await startTestServer({ meshMax: 4, rateStrikesPerMinute: 3 }));
});
afterEach(() => closeAllSockets());
after(() => server.close());

const sealed = (body: string): string => SEALED_CHAT_PREFIX + Buffer.from(body).toString('base64url');

describe('end-to-end encrypted rooms', () => {
  test('the first joiner marks the room; an unencrypted joiner is refused with e2ee-required', async () => {
    const [a, b, c] = await Promise.all([connect(url), connect(url), connect(url)]);
    const ja = await join(a, { room: 'e2ee-1', name: 'Ann', e2ee: true });
    assert.equal(ja.e2ee, true);
    const refused = await request<JoinReply>(b, 'join', { room: 'e2ee-1', name: 'Ben' });
    assert.equal(refused.ok, false);
    assert.equal(!refused.ok && refused.error, 'e2ee-required');
    const jc = await join(c, { room: 'e2ee-1', name: 'Cy', e2ee: true });
    assert.equal(jc.e2ee, true);
    assert.deepEqual(
      jc.participants.map((p) => p.name),
      ['Ann'],
      'the refused joiner took no seat',
    );
  });

  test('an encrypted joiner of a plain room is refused with e2ee-off; refusals are not counted as abuse', async () => {
    const [a, b] = await Promise.all([connect(url), connect(url)]);
    const ja = await join(a, { room: 'e2ee-2', name: 'Ann' });
    assert.equal(ja.e2ee, false);
    // More refusals than the strike budget (3 a minute): none of them is a strike.
    for (let i = 0; i < 5; i++) {
      const r = await request<JoinReply>(b, 'join', { room: 'e2ee-2', name: 'Ben', e2ee: true });
      assert.equal(!r.ok && r.error, 'e2ee-off');
    }
    assert.equal(b.connected, true);
    const ok = await join(b, { room: 'e2ee-2', name: 'Ben' });
    assert.equal(ok.ok, true);
  });

  test('an emptied room is decided again by its next first joiner', async () => {
    const a = await connect(url);
    await join(a, { room: 'e2ee-3', name: 'Ann', e2ee: true });
    await request(a, 'leave', {});
    await sleep(50);
    const b = await connect(url);
    const r = await request<JoinReply>(b, 'join', { room: 'e2ee-3', name: 'Ben' });
    assert.equal(r.ok && r.e2ee, false);
  });

  test('chat in an encrypted room carries sealed texts only, relayed and kept as they are', async () => {
    const [a, b] = await Promise.all([connect(url), connect(url)]);
    await join(a, { room: 'e2ee-4', name: 'Ann', e2ee: true });
    await join(b, { room: 'e2ee-4', name: 'Ben', e2ee: true });
    const atB = collect<{ message: ChatMessage }>(b, 'chat');
    const plain = await request<ChatSendReply>(a, 'chat-send', { id: 'p1', text: 'hello in clear' });
    assert.equal(!plain.ok && plain.error, 'e2ee-required');
    const text = sealed('x'.repeat(3_000));
    const ok = await request<ChatSendReply>(a, 'chat-send', { id: 's1', text });
    assert.ok(ok.ok);
    assert.equal(ok.message.text, text);
    await sleep(100);
    assert.deepEqual(
      atB.map((m) => m.message.text),
      [text],
    );
  });

  test('a key-exchange signal is relayed to the one participant named, as it is; an oversized one is refused', async () => {
    const [a, b, c] = await Promise.all([connect(url), connect(url), connect(url)]);
    await join(a, { room: 'e2ee-6', name: 'Ann', e2ee: true });
    const jb = await join(b, { room: 'e2ee-6', name: 'Ben', e2ee: true });
    await join(c, { room: 'e2ee-6', name: 'Cy', e2ee: true });
    const atB = collect<{ from: string; data: AnySignalData }>(b, 'signal');
    const atC = collect<{ from: string; data: AnySignalData }>(c, 'signal');
    const body = JSON.stringify({ t: 'hello', pub: 'BAAA', mac: 'x'.repeat(43) });
    const ok = await request<OkReply>(a, 'signal', { to: jb.self.id, data: { kind: 'e2ee', body } });
    assert.ok(ok.ok);
    const big = await request<OkReply>(a, 'signal', {
      to: jb.self.id,
      data: { kind: 'e2ee', body: 'x'.repeat(E2EE_SIGNAL_MAX + 1) },
    });
    assert.equal(!big.ok && big.error, 'invalid-message');
    await sleep(100);
    assert.deepEqual(
      atB.map((m) => m.data),
      [{ kind: 'e2ee', body }],
    );
    assert.equal(atC.length, 0, 'nobody else hears it');
  });

  test('a plain room refuses texts over the plain limit even when they look sealed', async () => {
    const a = await connect(url);
    await join(a, { room: 'e2ee-5', name: 'Ann' });
    const long = await request<ChatSendReply>(a, 'chat-send', { id: 'l1', text: sealed('y'.repeat(3_000)) });
    assert.equal(!long.ok && long.error, 'invalid-message');
    const short = await request<ChatSendReply>(a, 'chat-send', { id: 'l2', text: 'e2ee1:just-text' });
    assert.ok(short.ok, 'a short text that happens to look sealed is plain text here');
  });
});
