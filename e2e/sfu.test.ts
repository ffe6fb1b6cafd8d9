/**
 * Rooms through the server's forwarding unit, as people use them: the app in real Chromium
 * pages (and one Firefox), media through the server only, a mesh that moves to the server
 * without anyone leaving, and chat, screen sharing and files after the move.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, newParticipant } from './support/browser';
import { joinThroughUi, remoteVideos } from './support/call';
import { chatTexts, openChat, openFiles, sendChat, waitForChat } from './support/features';
import { waitAllDecoding } from './support/mesh';
import { outboundVideoLayers, recordPeerConnections, selectedRemotes, waitForLayerWiderThan } from './support/sfu';
import { startServer } from './support/server';
import { longVariant } from './support/tier';

let browser: Browser;
let dir: string;

before(async () => {
  browser = await launchChromium();
  dir = mkdtempSync(join(tmpdir(), 'parley-sfu-'));
});

after(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface SfuStatus {
  state: string;
  port?: number;
}

async function sfuStatus(url: string): Promise<SfuStatus> {
  const body = (await (await fetch(`${url}/readyz`)).json()) as { details: { sfu: SfuStatus } };
  return body.details.sfu;
}

/** Skip (saying why) where the forwarding unit did not build. */
async function needsSfu(t: TestContext, url: string): Promise<boolean> {
  const s = await sfuStatus(url);
  if (s.state === 'unavailable' || s.state === 'off') {
    t.skip(`no forwarding unit: ${JSON.stringify(s)}`);
    return false;
  }
  return true;
}

async function people(n: number, url: string): Promise<Array<{ context: BrowserContext; page: Page }>> {
  return Promise.all(Array.from({ length: n }, () => newParticipant(browser, url)));
}

function topologyOf(page: Page): Promise<string | null> {
  return page.evaluate(
    () =>
      (window as unknown as { __parleyCall?: { snapshot: { topology: string | null } } }).__parleyCall?.snapshot
        .topology ?? null,
  );
}

/** What the page's call knows, for a report when a room does not come together. */
function callState(page: Page): Promise<string> {
  return page.evaluate(() => {
    const call = (
      window as unknown as {
        __parleyCall?: {
          snapshot: {
            self: { name: string } | null;
            topology: string | null;
            remotes: Array<{ participant: { name: string }; state: string; stream: MediaStream }>;
          };
          transport: { participantIds(): string[] } | null;
        };
      }
    ).__parleyCall;
    if (!call) return 'no call';
    const s = call.snapshot;
    return JSON.stringify({
      self: s.self?.name,
      topology: s.topology,
      transportIds: call.transport?.participantIds(),
      remotes: s.remotes.map((r) => ({
        name: r.participant.name,
        state: r.state,
        tracks: r.stream.getTracks().map((t) => `${t.kind}:${t.readyState}:${t.muted ? 'muted' : 'live'}`),
      })),
    });
  });
}

describe('rooms through the forwarding unit', () => {
  test(
    'ROOM_TOPOLOGY=sfu: four people all see each other, every media path ends at the server',
    longVariant(),
    async (t) => {
      const server = await startServer({ env: { ROOM_TOPOLOGY: 'sfu', SFU_ANNOUNCED_IPS: '127.0.0.1' } });
      const ps = await people(4, server.url);
      try {
        if (!(await needsSfu(t, server.url))) return;
        const names = ['Ada', 'Grace', 'Linus', 'Barbara'];
        for (const [i, p] of ps.entries()) await joinThroughUi(p.page, names[i]!, 'sfu-four');
        const seen = await Promise.all(ps.map((p) => waitAllDecoding(p.page, 3, { timeoutMs: 45_000 })));
        for (const [i, videos] of seen.entries()) {
          assert.deepEqual(videos.map((v) => v.name).sort(), names.filter((_, j) => j !== i).sort());
        }
        const status = await sfuStatus(server.url);
        assert.equal(status.state, 'running');
        for (const p of ps) {
          assert.equal(await topologyOf(p.page), 'sfu');
          const remotes = await selectedRemotes(p.page);
          assert.ok(remotes.length > 0, 'the page has selected candidate pairs');
          assert.deepEqual(remotes, [`127.0.0.1:${status.port}`], 'only the server, never another browser');
        }
      } finally {
        await Promise.all(ps.map((p) => p.context.close()));
        await server.kill('SIGTERM');
      }
    },
  );

  test('auto with MESH_MAX=2: the third joiner moves the call to the server without a visible gap; chat, screen and files keep working', async (t) => {
    const server = await startServer({
      env: { MESH_MAX: '2', SFU_ANNOUNCED_IPS: '127.0.0.1', LOG_LEVEL: process.env.SFU_LOG ?? 'warn' },
    });
    const [a, b, c] = await people(3, server.url);
    try {
      if (!(await needsSfu(t, server.url))) return;
      await joinThroughUi(a!.page, 'Ada', 'sfu-move');
      await joinThroughUi(b!.page, 'Grace', 'sfu-move');
      await Promise.all([waitAllDecoding(a!.page, 1), waitAllDecoding(b!.page, 1)]);
      assert.equal(await topologyOf(a!.page), 'mesh');
      await Promise.all([openChat(a!.page), openChat(b!.page)]);
      await sendChat(a!.page, 'before the move');
      await waitForChat(b!.page, 'before the move');

      // Watch Grace's video at Ada: the longest time without a new frame across the move.
      await a!.page.evaluate(() => {
        const w = window as unknown as {
          __gap: { last: number; max: number; at: string; frames: number; stream: unknown; timer: number };
        };
        w.__gap = { last: performance.now(), max: 0, at: '', frames: -1, stream: null, timer: 0 };
        w.__gap.timer = window.setInterval(() => {
          const v = document.querySelector<HTMLVideoElement>('[data-testid="remote-tile"] video');
          const frames = v?.getVideoPlaybackQuality().totalVideoFrames ?? 0;
          const now = performance.now();
          const switched = v?.srcObject !== w.__gap.stream;
          if (switched) w.__gap.stream = v?.srcObject;
          if (frames !== w.__gap.frames && frames > 0) {
            if (now - w.__gap.last > w.__gap.max) {
              w.__gap.max = now - w.__gap.last;
              w.__gap.at = `${switched ? 'at the stream change' : 'within one stream'}, ${Math.round(now)} ms`;
            }
            w.__gap.last = now;
            w.__gap.frames = frames;
          }
        }, 20);
      });

      await joinThroughUi(c!.page, 'Linus', 'sfu-move');
      const all = await Promise.all([a, b, c].map((p) => waitAllDecoding(p!.page, 2, { timeoutMs: 45_000 }))).catch(
        async (err: unknown) => {
          for (const p of [a, b, c]) console.error(await callState(p!.page));
          if (process.env.SFU_LOG) console.error(server.output.join(''));
          throw err;
        },
      );
      assert.deepEqual(all[2]!.map((v) => v.name).sort(), ['Ada', 'Grace']);
      for (const p of [a, b, c]) assert.equal(await topologyOf(p!.page), 'sfu');
      // Let the old mesh close, then read the gap.
      await a!.page.waitForTimeout(2_000);
      const gap = await a!.page.evaluate(() => {
        const g = (window as unknown as { __gap: { max: number; at: string; timer: number } }).__gap;
        clearInterval(g.timer);
        return { ms: Math.round(g.max), at: g.at };
      });
      console.log(`longest gap in Grace's video at Ada across the move: ${gap.ms} ms (${gap.at})`);
      // Typically 100-300 ms here (the figure is printed above; bench/ measures it). The bound
      // only tells a stall on a busy two-core machine (up to 1.7 s seen) from media that stopped
      // and was set up again, which takes several seconds.
      const gapMs = gap.ms;
      assert.ok(gapMs < 3_000, `no media stop across the move (${gapMs} ms)`);
      const status = await sfuStatus(server.url);
      assert.deepEqual(await selectedRemotes(a!.page), [`127.0.0.1:${status.port}`], 'the mesh links are closed');

      // Chat: the history is still there, and new messages reach everyone.
      assert.ok((await chatTexts(a!.page)).some((x) => x.includes('before the move')));
      await openChat(c!.page);
      await waitForChat(c!.page, 'before the move');
      await sendChat(c!.page, 'after the move');
      await Promise.all([waitForChat(a!.page, 'after the move'), waitForChat(b!.page, 'after the move')]);

      // Screen sharing through the server.
      await b!.page.getByRole('button', { name: 'Share screen' }).click();
      for (const p of [a, c]) {
        await p!.page.waitForFunction(
          () => {
            const v = document.querySelector<HTMLVideoElement>('video[aria-label="Grace\'s screen"]');
            return v !== null && v.videoWidth > 0 && v.getVideoPlaybackQuality().totalVideoFrames > 0;
          },
          undefined,
          { timeout: 30_000 },
        );
      }
      await b!.page.getByRole('button', { name: 'Stop sharing' }).click();

      // A file, peer to peer on demand, arrives byte-identical.
      const data = randomBytes(2 * 1024 * 1024);
      const path = join(dir, 'after-move.bin');
      writeFileSync(path, data);
      await openFiles(a!.page);
      await openFiles(c!.page);
      await a!.page.getByLabel('File to send').setInputFiles(path);
      const r = c!.page.getByTestId('transfer').filter({ hasText: 'after-move.bin' });
      await r.getByRole('button', { name: 'Accept' }).click({ timeout: 30_000 });
      const save = r.getByRole('link', { name: 'Save after-move.bin' });
      await save.waitFor({ timeout: 60_000 });
      const [download] = await Promise.all([c!.page.waitForEvent('download'), save.click()]);
      const saved = join(dir, 'saved.bin');
      await download.saveAs(saved);
      assert.equal(
        createHash('sha256').update(readFileSync(saved)).digest('hex'),
        createHash('sha256').update(data).digest('hex'),
      );
    } finally {
      await Promise.all([a, b, c].map((p) => p?.context.close()));
      await server.kill('SIGTERM');
    }
  });

  test('simulcast: a small tile receives a lower layer than an enlarged one', async (t) => {
    const server = await startServer({
      env: { ROOM_TOPOLOGY: 'sfu', SFU_ANNOUNCED_IPS: '127.0.0.1', LOG_LEVEL: process.env.SFU_LOG ?? 'warn' },
    });
    const [a, b] = await people(2, server.url);
    try {
      if (!(await needsSfu(t, server.url))) return;
      await recordPeerConnections(a!.page);
      await joinThroughUi(a!.page, 'Ada', 'sfu-layers');
      await joinThroughUi(b!.page, 'Grace', 'sfu-layers');
      await waitAllDecoding(b!.page, 1, { timeoutMs: 45_000 });
      const width = async (): Promise<number> => (await remoteVideos(b!.page))[0]?.width ?? 0;
      // A small window: the tile is small, the layer low.
      await b!.page.setViewportSize({ width: 320, height: 240 });
      await b!.page.waitForFunction(
        () => (document.querySelector<HTMLVideoElement>('[data-testid="remote-tile"] video')?.videoWidth ?? 0) <= 160,
        undefined,
        { timeout: 30_000 },
      );
      const small = await width();
      // The window grows: a higher layer follows, once the publisher sends one (a busy machine
      // can hold Chromium's own bandwidth estimate on the quarter layer; that is reported).
      if ((await waitForLayerWiderThan(a!.page, small, 45_000)) === null) {
        t.diagnostic(
          `the publisher never sent above ${small}px: ${JSON.stringify(await outboundVideoLayers(a!.page))}`,
        );
        return;
      }
      await b!.page.setViewportSize({ width: 1600, height: 1000 });
      // Wait for the wider picture while watching what the publisher sends above the quarter
      // layer. Chromium can fall back to the quarter layer alone at any moment on a starved
      // machine; the forwarding unit is at fault only if the wider layers kept arriving.
      const upper = async (): Promise<number> =>
        (await outboundVideoLayers(a!.page)).filter((l) => l.rid !== 'q').reduce((n, l) => n + (l.bytes ?? 0), 0);
      const trail: { at: number; bytes: number }[] = [];
      const end = Date.now() + 30_000;
      let grew = false;
      while (!grew && Date.now() < end) {
        trail.push({ at: Date.now(), bytes: await upper() });
        grew = await b!.page.evaluate(
          (s) => (document.querySelector<HTMLVideoElement>('[data-testid="remote-tile"] video')?.videoWidth ?? 0) > s,
          small,
        );
        if (!grew) await b!.page.waitForTimeout(500);
      }
      if (!grew) {
        // Bytes above the quarter layer over the last 10 s: a sustained stream (≥ 50 kbit/s)
        // that never reached the enlarged tile is the forwarding unit's failure.
        const last = trail[trail.length - 1]!;
        const from = trail.find((p) => p.at >= last.at - 10_000) ?? trail[0]!;
        const kbps = ((last.bytes - from.bytes) * 8) / Math.max(1, last.at - from.at);
        const layers = JSON.stringify(await outboundVideoLayers(a!.page));
        if (process.env.SFU_LOG) console.error(server.output.join(''));
        assert.ok(
          kbps < 50,
          `the publisher sent ${kbps.toFixed(0)} kbit/s above the quarter layer, the enlarged tile stayed at ${small}px: ${layers}`,
        );
        t.diagnostic(`the publisher stopped sending above ${small}px after the window grew: ${layers}`);
        return;
      }
      const large = await width();
      console.log(`remote camera width: small tile ${small}px, large tile ${large}px`);
      assert.ok(large > small);
    } finally {
      await Promise.all([a, b].map((p) => p?.context.close()));
      await server.kill('SIGTERM');
    }
  });
});
