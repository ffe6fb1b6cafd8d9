import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { newParticipant } from './support/browser';
import { joinThroughUi, remoteVideos, waitForRemoteVideos } from './support/call';
import { openFiles } from './support/features';
import { useServerAndChromium } from './support/fixture';
import { startServer } from './support/server';

/*
 * The web app in a room through the server's forwarding unit (ROOM_TOPOLOGY=sfu): three Chromium
 * pages join through the UI, everyone decodes everyone, and every page's media connections end
 * at the server's media port, none at another browser. Files still go browser to browser, on a
 * data path opened when the first file is offered.
 */

let pages: Page[] = [];

const SFU_ENV = { ROOM_TOPOLOGY: 'sfu', SFU_ANNOUNCED_IPS: '127.0.0.1', LOG_LEVEL: 'warn' };

const fx = useServerAndChromium({ server: { env: SFU_ENV } });

async function sfuDetails(): Promise<{ state: string; port?: number; reason?: string }> {
  const res = await fetch(`${fx.server.url}/readyz`);
  return ((await res.json()) as { details: { sfu: { state: string; port?: number; reason?: string } } }).details.sfu;
}

/** The topology the page's call runs on, and the remote candidate of each selected pair. */
function paths(page: Page): Promise<{ topology: string | null; remotes: string[] }> {
  return page.evaluate(async () => {
    const call = (
      window as unknown as {
        __parleyCall?: { snapshot: { topology: string | null }; getStats(): Promise<Record<string, RTCStats[]>> };
      }
    ).__parleyCall;
    if (!call) return { topology: null, remotes: [] };
    const remotes: string[] = [];
    for (const list of Object.values(await call.getStats())) {
      const byId = new Map(list.map((s) => [s.id, s as RTCStats & Record<string, unknown>]));
      for (const s of list as Array<RTCStats & Record<string, unknown>>) {
        if (s.type !== 'transport') continue;
        const pair = byId.get(String(s.selectedCandidatePairId));
        const remote = pair ? byId.get(String(pair.remoteCandidateId)) : undefined;
        if (remote) remotes.push(`${String(remote.address ?? remote.ip)}:${String(remote.port)}`);
      }
    }
    return { topology: call.snapshot.topology, remotes };
  });
}

test('three pages in a room through the forwarding unit decode each other, over the server only', async (t) => {
  const before = await sfuDetails();
  if (before.state === 'unavailable' || before.state === 'off') {
    t.skip(`no forwarding unit here: ${JSON.stringify(before)}`);
    return;
  }
  const room = `sfu-${Date.now()}`;
  pages = [];
  for (const name of ['Ada', 'Bo', 'Cy']) {
    const { page } = await newParticipant(fx.browser, fx.server.url);
    pages.push(page);
    await joinThroughUi(page, name, room);
  }
  for (const page of pages) await waitForRemoteVideos(page, 2, 30_000);
  const sfu = await sfuDetails();
  assert.equal(sfu.state, 'running');
  for (const page of pages) {
    const p = await paths(page);
    assert.equal(p.topology, 'sfu');
    assert.ok(p.remotes.length > 0, 'a selected pair');
    for (const r of p.remotes) assert.equal(r, `127.0.0.1:${sfu.port}`, 'media goes to the server, never to a browser');
  }
});

test('a file in a room through the forwarding unit goes on a direct data path opened on demand', async (t) => {
  if (pages.length < 3) {
    t.skip('no room (no forwarding unit here)');
    return;
  }
  const [ada, bo, cy] = pages as [Page, Page, Page];
  await Promise.all(pages.map((p) => openFiles(p)));
  const bytes = randomBytes(300_000);
  const sha = createHash('sha256').update(bytes).digest('hex');
  await ada
    .getByLabel('File to send')
    .setInputFiles({ name: 'notes.bin', mimeType: 'application/octet-stream', buffer: bytes });
  for (const page of [bo, cy]) {
    const row = page.getByTestId('transfer').filter({ hasText: 'notes.bin' });
    await row.getByRole('button', { name: 'Accept' }).click({ timeout: 20_000 });
    const save = row.getByRole('link', { name: 'Save notes.bin' });
    await save.waitFor({ timeout: 30_000 });
    assert.equal(await save.getAttribute('data-sha256'), sha);
  }
  // The media still goes through the server only; the data path is not counted among them.
  const sfu = await sfuDetails();
  for (const page of pages) {
    for (const r of (await paths(page)).remotes) assert.equal(r, `127.0.0.1:${sfu.port}`);
  }
});

test('a screen shared in a room through the forwarding unit shows at the others and goes when stopped', async (t) => {
  if (pages.length < 3) {
    t.skip('no room (no forwarding unit here)');
    return;
  }
  const [ada, bo, cy] = pages as [Page, Page, Page];
  await bo.getByRole('button', { name: 'Share screen' }).click();
  for (const page of [ada, cy]) {
    await page.waitForFunction(
      () => {
        const v = document.querySelector(`video[aria-label="Bo's screen"]`) as HTMLVideoElement | null;
        return v !== null && v.videoWidth > 0 && v.getVideoPlaybackQuality().totalVideoFrames > 0;
      },
      undefined,
      { timeout: 20_000 },
    );
  }
  // The cameras go on playing in their strip beside the screen, and in the grid once it ends.
  for (const page of [ada, cy]) await camerasPlaying(page, 2);
  await bo.getByRole('button', { name: 'Stop sharing' }).click();
  for (const page of [ada, cy]) {
    await page.getByLabel("Bo's screen", { exact: true }).waitFor({ state: 'detached', timeout: 15_000 });
  }
  await waitForRemoteVideos(ada, 2);
  for (const page of [ada, bo, cy]) await camerasPlaying(page, 2);
});

/**
 * Wait until each of the page's `count` remote camera tiles has shown new frames: a tile frozen on
 * its last picture keeps the frames it counted so far, so the count must grow, tile by tile.
 */
async function camerasPlaying(page: Page, count: number, timeoutMs = 20_000): Promise<void> {
  const start = new Map((await remoteVideos(page)).map((v) => [v.id, v.frames]));
  const deadline = Date.now() + timeoutMs;
  let now = await remoteVideos(page);
  while (!(now.length === count && now.every((v) => v.frames > (start.get(v.id) ?? 0)))) {
    if (Date.now() > deadline) {
      throw new Error(`not every camera is playing: ${JSON.stringify({ before: [...start], now })}`);
    }
    await page.waitForTimeout(200);
    now = await remoteVideos(page);
  }
}

/** Decoded remote frames on the page, summed over its tiles. */
const frames = async (page: Page): Promise<number> => (await remoteVideos(page)).reduce((n, v) => n + v.frames, 0);

test('the server restarts mid-call: both pages rejoin, publish and subscribe again, and decode each other', async (t) => {
  if (pages.length < 3) {
    t.skip('no forwarding unit here');
    return;
  }
  // The three pages of the tests above leave first: five pages at once are too heavy here.
  await Promise.all(pages.map((p) => p.context().close()));
  pages = [];
  let srv = await startServer({ env: SFU_ENV });
  const port = srv.port;
  const people = [await newParticipant(fx.browser, srv.url), await newParticipant(fx.browser, srv.url)];
  try {
    const room = `sfu-restart-${Date.now()}`;
    await joinThroughUi(people[0]!.page, 'Ann', room);
    await joinThroughUi(people[1]!.page, 'Ben', room);
    await Promise.all(people.map((p) => waitForRemoteVideos(p.page, 1, 30_000)));
    await srv.kill('SIGKILL');
    await Promise.all(people.map((p) => p.page.getByText('Connection to the server lost').waitFor({ timeout: 5_000 })));
    srv = await startServer({ port, env: SFU_ENV });
    const answering = Date.now();
    // Media flows again at a page once its decoded frames grow between two samples.
    const again = await Promise.all(
      people.map(async ({ page }) => {
        let last = await frames(page);
        for (;;) {
          if (Date.now() - answering > 30_000) throw new Error('no media 30 s after the server came back');
          await page.waitForTimeout(200);
          const now = await frames(page);
          if (now > last) return Date.now() - answering;
          last = now;
        }
      }),
    );
    t.diagnostic(`media again ${again.map((ms) => `${ms} ms`).join(' and ')} after the server answered again`);
    for (const { page } of people) {
      const p = await paths(page);
      assert.equal(p.topology, 'sfu');
    }
  } finally {
    await Promise.all(people.map((p) => p.context.close()));
    await srv.kill('SIGTERM');
  }
});
