import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { newParticipant } from './support/browser';
import { joinThroughUi, preJoinReady, remoteVideos } from './support/call';
import { prepareJoin, waitAllDecoding } from './support/mesh';
import { useServerAndChromium } from './support/fixture';
import { startServer } from './support/server';

const fx = useServerAndChromium();

async function participants(n: number, url = fx.server.url): Promise<Array<{ context: BrowserContext; page: Page }>> {
  return Promise.all(Array.from({ length: n }, () => newParticipant(fx.browser, url)));
}

async function closeAll(ps: Array<{ context: BrowserContext }>): Promise<void> {
  await Promise.all(ps.map((p) => p.context.close()));
}

test('three people joining one after another all see each other, with names and a three-tile grid', async () => {
  const ps = await participants(3);
  const names = ['Ada', 'Grace', 'Linus'];
  try {
    for (const [i, p] of ps.entries()) await joinThroughUi(p.page, names[i]!, 'mesh-three');
    const seen = await Promise.all(ps.map((p) => waitAllDecoding(p.page, 2)));
    for (const [i, videos] of seen.entries()) {
      assert.deepEqual(
        videos.map((v) => v.name).sort(),
        names.filter((_, j) => j !== i).sort(),
        `${names[i]} sees the other two by name`,
      );
    }
    // Every link of a page uses the page's one DTLS certificate, made ahead of time.
    for (const p of ps) {
      const fingerprints = await p.page.evaluate(() =>
        [
          ...(
            window as unknown as { __parleyCall: { transport: { links(): Map<string, { pc: RTCPeerConnection }> } } }
          ).__parleyCall.transport
            .links()
            .values(),
        ].map((l) => /a=fingerprint:(.+)/.exec(l.pc.localDescription?.sdp ?? '')?.[1]?.trim()),
      );
      assert.equal(fingerprints.length, 2);
      assert.ok(fingerprints[0], 'a DTLS fingerprint in the local description');
      assert.equal(fingerprints[0], fingerprints[1], 'both links share one certificate');
    }
    const grid = ps[0]!.page.locator('section[aria-label="Participants"]');
    assert.equal(await grid.getAttribute('data-count'), '3');
    // The tiles sit side by side and one below: two columns.
    const boxes = await ps[0]!.page.locator('.tile').evaluateAll((els) =>
      els.map((e) => {
        const r = e.getBoundingClientRect();
        return { x: Math.round(r.x), y: Math.round(r.y), w: Math.round(r.width) };
      }),
    );
    assert.equal(new Set(boxes.map((b) => b.y)).size, 2, `two rows: ${JSON.stringify(boxes)}`);
    assert.ok(
      boxes.every((b) => b.w > 100 && b.x >= 0 && b.x + b.w <= 960),
      `tiles fit the window: ${JSON.stringify(boxes)}`,
    );
  } finally {
    await closeAll(ps);
  }
});

test('four people clicking Join at the same instant all end connected to all', async () => {
  const ps = await participants(4);
  try {
    await Promise.all(ps.map((p, i) => prepareJoin(p.page, `P${i + 1}`, 'mesh-four')));
    await Promise.all(ps.map((p) => p.page.getByRole('button', { name: 'Join' }).click()));
    // Everyone's preview is ready; then all four press Join on the pre-join screen at once.
    await Promise.all(ps.map((p) => preJoinReady(p.page)));
    await Promise.all(ps.map((p) => p.page.getByRole('button', { name: 'Join', exact: true }).click()));
    await Promise.all(ps.map((p) => waitAllDecoding(p.page, 3, { timeoutMs: 45_000 })));
    // Every tile says connected (a tile's state follows its connection's events, so allow them
    // a moment to arrive on a busy machine); on failure, what the connections themselves say.
    for (const p of ps) {
      const tileStates = () =>
        p.page
          .locator('[data-testid="remote-tile"]')
          .evaluateAll((els) => els.map((e) => e.getAttribute('data-link-state')));
      const deadline = Date.now() + 10_000;
      let states = await tileStates();
      while (states.some((s) => s !== 'connected') && Date.now() < deadline) {
        await p.page.waitForTimeout(250);
        states = await tileStates();
      }
      const pcs = await p.page.evaluate(() =>
        [
          ...(
            window as unknown as { __parleyCall: { transport: { links(): Map<string, { pc: RTCPeerConnection }> } } }
          ).__parleyCall.transport
            .links()
            .values(),
        ].map((l) => `${l.pc.connectionState}/${l.pc.iceConnectionState}/${l.pc.signalingState}`),
      );
      assert.deepEqual(states, ['connected', 'connected', 'connected'], `connections: ${pcs.join(', ')}`);
    }
    // As the room grows each sender lowers its encoding (adaptive quality): 4 people -> scaled down.
    const scale = await ps[0]!.page.evaluate(async () => {
      const call = (window as unknown as { __parleyCall: { getStats(): Promise<Record<string, RTCStats[]>> } })
        .__parleyCall;
      const stats = await call.getStats();
      const widths: number[] = [];
      for (const list of Object.values(stats)) {
        for (const s of list as Array<RTCStats & { kind?: string; frameWidth?: number }>) {
          if (s.type === 'outbound-rtp' && s.kind === 'video' && s.frameWidth) widths.push(s.frameWidth);
        }
      }
      return widths;
    });
    assert.equal(scale.length, 3, `one video sender per remote: ${JSON.stringify(scale)}`);
    assert.ok(
      scale.every((w) => w <= 640 / 1.5 + 1),
      `senders scaled down for a room of four: ${JSON.stringify(scale)}`,
    );
  } finally {
    await closeAll(ps);
  }
});

test('the participant beyond the cap is told the room is full; the others are undisturbed', async () => {
  // A mesh-only server: with ROOM_TOPOLOGY=auto the third would move the room to the forwarding unit.
  const small = await startServer({ env: { MESH_MAX: '2', ROOM_TOPOLOGY: 'mesh' } });
  const ps = await participants(3, small.url);
  try {
    await joinThroughUi(ps[0]!.page, 'Ada', 'mesh-full');
    await joinThroughUi(ps[1]!.page, 'Grace', 'mesh-full');
    await Promise.all([waitAllDecoding(ps[0]!.page, 1), waitAllDecoding(ps[1]!.page, 1)]);
    await joinThroughUi(ps[2]!.page, 'Late', 'mesh-full');
    await ps[2]!.page.getByRole('alert').getByText('This room is full').waitFor({ timeout: 10_000 });
    assert.equal((await remoteVideos(ps[2]!.page)).length, 0);
    await ps[0]!.page.waitForTimeout(500);
    assert.equal((await remoteVideos(ps[0]!.page)).length, 1, 'no tile for the refused participant');
  } finally {
    await closeAll(ps);
    await small.kill('SIGTERM');
  }
});
