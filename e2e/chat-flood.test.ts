import assert from 'node:assert/strict';
import { test } from 'node:test';
import { io, type Socket } from 'socket.io-client';
import { newParticipant } from './support/browser';
import { joinThroughUi } from './support/call';
import { chatTexts, openChat, sendChat, waitForChat } from './support/features';
import { useServerAndChromium } from './support/fixture';

const FLOOD = 10_000;

// No per-connection message limit, so that one client can send 10,000 messages quickly.
const fx = useServerAndChromium({ server: { env: { RATE_MESSAGES_PER_SECOND: '0' } } });

function request<T>(socket: Socket, event: string, payload: unknown): Promise<T> {
  return new Promise((resolve) => socket.emit(event, payload, (reply: T) => resolve(reply)));
}

test('chat: 10,000 messages arriving keep the page responsive, bounded and in order', async () => {
  const bob = await newParticipant(fx.browser, fx.server.url);
  const flooder = io(`${fx.server.url}/parley`, { transports: ['websocket'], reconnection: false, forceNew: true });
  try {
    await joinThroughUi(bob.page, 'Bob', 'e2e-chat-flood');
    await openChat(bob.page);
    // The page notes when the first and the last flooded message are in the chat's list, and
    // the longest gap between ticks of a 10 ms timer (how long the page could not respond).
    await bob.page.evaluate((n) => {
      const w = window as unknown as {
        __parleyChat: {
          on(e: 'change', l: () => void): () => void;
          snapshot: { entries: Array<{ message: { text: string } }> };
        };
        __flood: {
          first: number;
          last: number;
          lastWall: number;
          maxGap: number;
          tick: number;
          timer: number;
          off: () => void;
        };
      };
      // No named inner functions here: the test runner's transform would wrap them in a helper
      // that does not exist in the page.
      const f = (w.__flood = {
        first: 0,
        last: 0,
        lastWall: 0,
        maxGap: 0,
        tick: performance.now(),
        timer: 0,
        off: Object as () => void,
      });
      f.timer = window.setInterval(() => {
        const now = performance.now();
        f.maxGap = Math.max(f.maxGap, now - f.tick);
        f.tick = now;
      }, 10);
      f.off = w.__parleyChat.on('change', () => {
        const entries = w.__parleyChat.snapshot.entries;
        if (!f.first && entries.some((e) => e.message.text.startsWith('flood '))) f.first = performance.now();
        if (!f.last && entries.at(-1)?.message.text === `flood ${n - 1}`) {
          f.last = performance.now();
          f.lastWall = Date.now();
        }
      });
    }, FLOOD);

    if (!flooder.connected) {
      await new Promise<void>((resolve, reject) => {
        flooder.once('connect', resolve);
        flooder.once('connect_error', reject);
      });
    }
    const joined = await request<{ ok: boolean }>(flooder, 'join', { room: 'e2e-chat-flood', name: 'Flood' });
    assert.ok(joined.ok, 'the flooding client joined');
    const sentAt = Date.now();
    // As fast as the server takes them: a connection may have only a few requests waiting
    // (CONNECTION_QUEUE_MAX), so the flooder keeps eight in flight, as a pipelining client would.
    const replies: Array<{ ok: boolean }> = [];
    let nextId = 0;
    const lane = async (): Promise<void> => {
      while (nextId < FLOOD) {
        const i = nextId++;
        replies.push(await request<{ ok: boolean }>(flooder, 'chat-send', { id: `f${i}`, text: `flood ${i}` }));
      }
    };
    await Promise.all(Array.from({ length: 8 }, lane));
    assert.equal(replies.filter((r) => r.ok).length, FLOOD, 'the server took every message');
    const acceptedAt = Date.now();
    console.log(`server accepted ${FLOOD} messages in ${acceptedAt - sentAt} ms`);

    await bob.page.waitForFunction(
      () => (window as unknown as { __flood: { last: number } }).__flood.last > 0,
      undefined,
      { timeout: 60_000 },
    );
    const probeAt = Date.now();
    const figures = await bob.page.evaluate(() => {
      const f = (
        window as unknown as {
          __flood: { first: number; last: number; lastWall: number; maxGap: number; timer: number; off(): void };
        }
      ).__flood;
      clearInterval(f.timer);
      f.off();
      return { processMs: f.last - f.first, maxGapMs: f.maxGap, lastWall: f.lastWall };
    });
    console.log(
      `page processed ${FLOOD} chat messages in ${figures.processMs.toFixed(0)} ms ` +
        `(last shown ${figures.lastWall - acceptedAt} ms after the server acknowledged it); ` +
        `longest stall ${figures.maxGapMs.toFixed(0)} ms; evaluate round trip ${Date.now() - probeAt} ms`,
    );

    // Bounded: the store keeps 1,000, the panel renders 200 of them, and says older ones are hidden.
    await bob.page
      .locator('.chat-text')
      .filter({ hasText: `flood ${FLOOD - 1}` })
      .waitFor();
    const texts = await bob.page.locator('[data-testid="chat-messages"] .chat-text').allTextContents();
    assert.ok(texts.length <= 200, `${texts.length} messages rendered`);
    assert.deepEqual(
      texts,
      Array.from({ length: texts.length }, (_, i) => `flood ${FLOOD - texts.length + i}`),
      'the newest messages, in order',
    );
    await bob.page.getByTestId('chat-older').filter({ hasText: 'Older messages are not shown.' }).waitFor();
    const kept = await bob.page.evaluate(
      () =>
        (window as unknown as { __parleyChat: { snapshot: { entries: unknown[] } } }).__parleyChat.snapshot.entries
          .length,
    );
    assert.equal(kept, 1_000);

    // Still usable: Bob can show earlier messages and send one of his own.
    await bob.page.getByRole('button', { name: /^Show 200 earlier/ }).click();
    assert.equal(await bob.page.locator('[data-testid="chat-messages"] .chat-text').count(), 400);
    await sendChat(bob.page, 'still here');
    assert.equal(await waitForChat(bob.page, 'still here'), 1);
    assert.equal((await chatTexts(bob.page)).at(-1), 'still here');
  } finally {
    flooder.close();
    await bob.context.close();
  }
});
