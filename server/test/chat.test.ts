import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { ChatMessage, ChatSendReply } from '@parley/protocol';
import type { ParleyServer } from '../src/ParleyServer';
import { closeAllSockets, collect, connect, join, next, request, sleep, startTestServer } from './support';

let server: ParleyServer;
let url: string;

before(async () => {
  ({ server, url } = await startTestServer({ meshMax: 4 }));
});
afterEach(() => closeAllSockets());
after(() => server.close());

type History = { messages: ChatMessage[] };

describe('chat', () => {
  test('a message reaches everyone else once, stamped with the sender, and is acknowledged', async () => {
    const [a, b, c] = await Promise.all([connect(url), connect(url), connect(url)]);
    const ja = await join(a, { room: 'chat-1', name: 'Ann' });
    await join(b, { room: 'chat-1', name: 'Ben' });
    await join(c, { room: 'chat-1', name: 'Cy' });
    const atA = collect(a, 'chat');
    const atB = collect<{ message: ChatMessage }>(b, 'chat');
    const atC = collect<{ message: ChatMessage }>(c, 'chat');
    const reply = await request<ChatSendReply>(a, 'chat-send', { id: 'm-1', text: 'hello <b>all</b>' });
    assert.ok(reply.ok);
    assert.equal(reply.message.from, ja.self.id);
    assert.equal(reply.message.fromName, 'Ann');
    assert.equal(reply.message.text, 'hello <b>all</b>', 'text is relayed as is, never rewritten');
    await sleep(100);
    assert.equal(atA.length, 0, 'no echo to the sender');
    assert.deepEqual(
      atB.map((m) => m.message),
      [reply.message],
    );
    assert.deepEqual(
      atC.map((m) => m.message),
      [reply.message],
    );
  });

  test('a resend with the same id is acknowledged with the first copy and relayed once', async () => {
    const [a, b] = await Promise.all([connect(url), connect(url)]);
    await join(a, { room: 'chat-2', name: 'Ann' });
    await join(b, { room: 'chat-2', name: 'Ben' });
    const atB = collect(b, 'chat');
    const first = await request<ChatSendReply>(a, 'chat-send', { id: 'dup', text: 'once' });
    const second = await request<ChatSendReply>(a, 'chat-send', { id: 'dup', text: 'once' });
    assert.ok(first.ok && second.ok);
    assert.deepEqual(second.message, first.message);
    await sleep(100);
    assert.equal(atB.length, 1);
  });

  test('a resend after a reconnect (resume) is still recognised', async () => {
    const [a, b] = await Promise.all([connect(url), connect(url)]);
    const ja = await join(a, { room: 'chat-3', name: 'Ann' });
    await join(b, { room: 'chat-3', name: 'Ben' });
    const atB = collect(b, 'chat');
    await request<ChatSendReply>(a, 'chat-send', { id: 'r1', text: 'before the drop' });
    a.disconnect();
    const a2 = await connect(url);
    const history = next<History>(a2, 'chat-history');
    await join(a2, { room: 'chat-3', name: 'Ann', resume: { participantId: ja.self.id, token: ja.resumeToken } });
    assert.deepEqual(
      (await history).messages.map((m) => m.id),
      ['r1'],
    );
    const again = await request<ChatSendReply>(a2, 'chat-send', { id: 'r1', text: 'before the drop' });
    assert.ok(again.ok);
    await sleep(100);
    assert.equal(atB.length, 1);
  });

  test('a late joiner gets the last 100 messages it may see, oldest first', async () => {
    const [a, b] = await Promise.all([connect(url), connect(url)]);
    await join(a, { room: 'chat-4', name: 'Ann' });
    const jb = await join(b, { room: 'chat-4', name: 'Ben' });
    for (let i = 0; i < 105; i++) await request(a, 'chat-send', { id: `h${i}`, text: `n${i}` });
    await request(a, 'chat-send', { id: 'secret', text: 'for Ben only', to: jb.self.id });
    const c = await connect(url);
    const history = next<History>(c, 'chat-history');
    await join(c, { room: 'chat-4', name: 'Cy' });
    const ids = (await history).messages.map((m) => m.id);
    assert.equal(ids.length, 99, '100 kept, minus the private one Cy may not see');
    assert.equal(ids[0], 'h6');
    assert.equal(ids.at(-1), 'h104');
    assert.ok(!ids.includes('secret'));
  });

  test('a private message reaches only its recipient', async () => {
    const [a, b, c] = await Promise.all([connect(url), connect(url), connect(url)]);
    await join(a, { room: 'chat-5', name: 'Ann' });
    const jb = await join(b, { room: 'chat-5', name: 'Ben' });
    await join(c, { room: 'chat-5', name: 'Cy' });
    const atB = collect<{ message: ChatMessage }>(b, 'chat');
    const atC = collect(c, 'chat');
    const reply = await request<ChatSendReply>(a, 'chat-send', { id: 'p1', text: 'psst', to: jb.self.id });
    assert.ok(reply.ok);
    assert.equal(reply.message.to, jb.self.id);
    await sleep(100);
    assert.equal(atB.length, 1);
    assert.equal(atC.length, 0);
    const bad = await request<ChatSendReply>(a, 'chat-send', { id: 'p2', text: 'x', to: 'nobody' });
    assert.equal(bad.ok, false);
    if (!bad.ok) assert.equal(bad.error, 'unknown-participant');
  });

  test('refuses chat before joining, blank, oversized and malformed messages, and keeps serving', async () => {
    const a = await connect(url);
    const early = await request<ChatSendReply>(a, 'chat-send', { id: 'x', text: 'hi' });
    assert.equal(early.ok, false);
    if (!early.ok) assert.equal(early.error, 'not-joined');
    await join(a, { room: 'chat-6', name: 'Ann' });
    const bad: unknown[] = [
      { id: 'x', text: '   ' },
      { id: 'x', text: 'y'.repeat(2_001) },
      { id: 'has space', text: 'hi' },
      { id: '', text: 'hi' },
      { id: 'x', text: 7 },
      { id: 'x', text: 'hi', from: 'someone-else' },
      'hi',
      null,
    ];
    for (const payload of bad) {
      const r = await request<ChatSendReply>(a, 'chat-send', payload);
      assert.equal(r.ok, false, JSON.stringify(payload)?.slice(0, 60));
      if (!r.ok) assert.equal(r.error, 'invalid-message');
    }
    const longest = await request<ChatSendReply>(a, 'chat-send', { id: 'ok', text: '🎉'.repeat(2_000) });
    assert.ok(longest.ok, 'the limit counts characters, not UTF-16 units');
  });

  test("a departed participant's private messages go to nobody who merely names its id", async () => {
    const [a, b] = await Promise.all([connect(url), connect(url)]);
    const ja = await join(a, { room: 'chat-6', name: 'Ann' });
    const jb = await join(b, { room: 'chat-6', name: 'Ben' });
    await request<ChatSendReply>(a, 'chat-send', { id: 'p1', text: 'for Ben only', to: jb.self.id });
    await request<ChatSendReply>(a, 'chat-send', { id: 'pub', text: 'for all' });
    const left = next(a, 'participant-left');
    b.disconnect(); // Ben leaves for good (a clean close)
    await left;
    // Someone who learnt Ben's id (it is in every signal and chat message) claims it, with a
    // made-up token, with Ann's token, and with Ann's id and a token for another room.
    const claims = [
      { participantId: jb.self.id, token: 'guess' },
      { participantId: jb.self.id, token: ja.resumeToken },
      { participantId: jb.self.id, token: jb.resumeToken.slice(0, -2) + 'AA' },
    ];
    for (const resume of claims) {
      const thief = await connect(url);
      const history = next<History>(thief, 'chat-history');
      const t = await join(thief, { room: 'chat-6', name: 'Ben', resume });
      assert.notEqual(t.self.id, jb.self.id, 'a new id, not the departed one');
      assert.deepEqual(
        (await history).messages.map((m) => m.id),
        ['pub'],
        'no private history',
      );
      const atThief = collect<{ message: ChatMessage }>(thief, 'chat');
      const r = await request<ChatSendReply>(a, 'chat-send', { id: `p-${t.self.id}`, text: 'x', to: jb.self.id });
      assert.equal(!r.ok && r.error, 'unknown-participant', 'Ben is not in the room');
      await sleep(50);
      assert.equal(atThief.length, 0);
      thief.disconnect();
    }
    // Ben himself, with the token the server gave him, is still Ben and sees his history.
    const b2 = await connect(url);
    const history = next<History>(b2, 'chat-history');
    const again = await join(b2, {
      room: 'chat-6',
      name: 'Ben',
      resume: { participantId: jb.self.id, token: jb.resumeToken },
    });
    assert.equal(again.self.id, jb.self.id);
    assert.deepEqual(
      (await history).messages.map((m) => m.id),
      ['p1', 'pub'],
    );
  });
});
