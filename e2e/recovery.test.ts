import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, newParticipant } from './support/browser';
import { joinThroughUi, remoteVideos } from './support/call';
import { framesById, selfId, waitAllDecoding } from './support/mesh';
import { useServerAndChromium } from './support/fixture';
import { startServer } from './support/server';

const fx = useServerAndChromium();

/** Wait until the page shows no tile for participant `id`; returns when that happened. */
async function tileGone(page: Page, id: string, timeoutMs: number): Promise<number> {
  await page.locator(`[data-testid="remote-tile"][data-participant-id="${id}"]`).waitFor({
    state: 'detached',
    timeout: timeoutMs,
  });
  return Date.now();
}

test('a closed tab and a killed browser vanish from the others within 5 s', async () => {
  const alice = await newParticipant(fx.browser, fx.server.url);
  const bob = await newParticipant(fx.browser, fx.server.url);
  // Carol runs in a browser process of her own, so it can be killed like a crash.
  const carolServer = await chromium.launchServer({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const carolBrowser = await chromium.connect(carolServer.wsEndpoint());
  const carol = await newParticipant(carolBrowser, fx.server.url);
  try {
    await joinThroughUi(alice.page, 'Alice', 'vanish');
    await joinThroughUi(bob.page, 'Bob', 'vanish');
    await joinThroughUi(carol.page, 'Carol', 'vanish');
    await Promise.all([alice, bob, carol].map((p) => waitAllDecoding(p.page, 2)));
    const [bobId, carolId] = await Promise.all([selfId(bob.page), selfId(carol.page)]);

    // Killed browser: no goodbye at all.
    const killedAt = Date.now();
    carolServer.process().kill('SIGKILL');
    const gone = await Promise.all([tileGone(alice.page, carolId, 5_000), tileGone(bob.page, carolId, 5_000)]);
    console.log(`killed browser -> tile removed: ${Math.max(...gone) - killedAt} ms`);

    // Closed tab, without pressing Leave.
    const closedAt = Date.now();
    await bob.page.close();
    const goneBob = await tileGone(alice.page, bobId, 5_000);
    console.log(`closed tab -> tile removed: ${goneBob - closedAt} ms`);
    assert.equal((await remoteVideos(alice.page)).length, 0);
    await alice.page.getByText('Waiting for others to join').waitFor();
  } finally {
    await alice.context.close();
    await bob.context.close();
    await carolBrowser.close().catch(() => undefined);
    await carolServer.kill().catch(() => undefined);
  }
});

test('a connection whose transport breaks recovers to decoding without a reload', async () => {
  const alice = await newParticipant(fx.browser, fx.server.url);
  const bob = await newParticipant(fx.browser, fx.server.url);
  try {
    await joinThroughUi(alice.page, 'Alice', 'ice-fail');
    await joinThroughUi(bob.page, 'Bob', 'ice-fail');
    await Promise.all([waitAllDecoding(alice.page, 1), waitAllDecoding(bob.page, 1)]);
    const [aliceId, bobId] = await Promise.all([selfId(alice.page), selfId(bob.page)]);
    // A marker that a reload would wipe.
    await Promise.all(
      [alice.page, bob.page].map((p) => p.evaluate(() => ((window as { marker?: number }).marker = 1))),
    );

    await alice.page.evaluate(
      (id) =>
        (
          window as unknown as { __parleyCall: { simulateTransportLoss(id: string): void } }
        ).__parleyCall.simulateTransportLoss(id),
      bobId,
    );
    // Alice's side shows the loss, then both sides decode again on a new connection.
    const brokeAt = Date.now();
    await Promise.all([
      waitAllDecoding(alice.page, 1, { timeoutMs: 20_000 }),
      waitAllDecoding(bob.page, 1, { timeoutMs: 20_000 }),
    ]);
    console.log(`transport lost -> decoding again on both sides: ${Date.now() - brokeAt} ms`);
    for (const [page, other] of [
      [alice.page, bobId],
      [bob.page, aliceId],
    ] as const) {
      const videos = await remoteVideos(page);
      assert.deepEqual(
        videos.map((v) => v.id),
        [other],
        'still exactly one tile, for the same participant',
      );
      assert.equal(await page.evaluate(() => (window as { marker?: number }).marker), 1, 'the page was not reloaded');
      assert.equal(await page.locator('[data-testid="remote-tile"]').getAttribute('data-link-state'), 'connected');
    }
  } finally {
    await alice.context.close();
    await bob.context.close();
  }
});

test('the server restarts mid-call: media keeps flowing, both rejoin, a newcomer connects, no duplicate tiles', async () => {
  let srv = await startServer();
  const port = srv.port;
  const alice = await newParticipant(fx.browser, srv.url);
  const bob = await newParticipant(fx.browser, srv.url);
  const carol = await newParticipant(fx.browser, srv.url);
  try {
    await joinThroughUi(alice.page, 'Alice', 'restart');
    await joinThroughUi(bob.page, 'Bob', 'restart');
    await Promise.all([waitAllDecoding(alice.page, 1), waitAllDecoding(bob.page, 1)]);
    const [aliceId, bobId] = await Promise.all([selfId(alice.page), selfId(bob.page)]);

    await srv.kill('SIGKILL');
    await Promise.all(
      [alice.page, bob.page].map((p) => p.getByText('Connection to the server lost').waitFor({ timeout: 5_000 })),
    );
    // Peer-to-peer media does not need the server: frames keep increasing during the outage.
    const [a0, b0] = await Promise.all([framesById(alice.page), framesById(bob.page)]);
    await alice.page.waitForTimeout(2_000);
    const [a1, b1] = await Promise.all([framesById(alice.page), framesById(bob.page)]);
    assert.ok((a1.get(bobId) ?? 0) > (a0.get(bobId) ?? Infinity), 'Alice decodes Bob while the server is down');
    assert.ok((b1.get(aliceId) ?? 0) > (b0.get(aliceId) ?? Infinity), 'Bob decodes Alice while the server is down');

    srv = await startServer({ port });
    await Promise.all(
      [alice.page, bob.page].map((p) =>
        p.getByText('Connection to the server lost').waitFor({ state: 'detached', timeout: 15_000 }),
      ),
    );
    // Both came back as the same participants.
    assert.equal(await selfId(alice.page), aliceId);
    assert.equal(await selfId(bob.page), bobId);

    await joinThroughUi(carol.page, 'Carol', 'restart');
    const seen = await Promise.all([alice, bob, carol].map((p) => waitAllDecoding(p.page, 2, { timeoutMs: 30_000 })));
    for (const videos of seen) assert.equal(new Set(videos.map((v) => v.id)).size, 2, 'no duplicate tiles');
    assert.deepEqual(seen[2]!.map((v) => v.id).sort(), [aliceId, bobId].sort(), 'the newcomer sees both');
    // And it stays that way (no late duplicate from a stale rejoin).
    await alice.page.waitForTimeout(1_500);
    for (const p of [alice, bob, carol]) assert.equal((await remoteVideos(p.page)).length, 2);
  } finally {
    await Promise.all([alice, bob, carol].map((p) => p.context.close()));
    await srv.kill('SIGTERM');
  }
});
