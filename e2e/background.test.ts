import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CDPSession, Page } from 'playwright-core';
import { BACKGROUND_COLOUR } from '../web/src/video/background/mode';
import { seriousViolations } from './support/axe';
import { newParticipant } from './support/browser';
import { inboundTotals, joinFromPreJoin, joinThroughUi, preJoinReady, waitForRemoteVideos } from './support/call';
import { chooseMore } from './support/features';
import { useServerAndChromium } from './support/fixture';
import { startServer } from './support/server';
import { longVariant } from './support/tier';

/**
 * Background blur and colour, driven through the UI in Chromium with two participants: the
 * sender's outgoing track is the processed one, the receiver keeps decoding, and the picture the
 * receiver gets changes the way the setting says. Frame rates and the sender's CPU cost are
 * printed (docs/PERFORMANCE.md), never asserted against a time.
 */

const fx = useServerAndChromium();

interface Processor {
  mode: string;
  track: MediaStreamTrack;
  stats(): {
    path: string;
    framesIn: number;
    framesOut: number;
    modelRuns: number;
    modelFps: number;
    modelMs: number;
    compositeMs: number;
    seconds: number;
  };
}

/** The track ids the page sends (outbound video stats) and the call's local video track. */
function sending(page: Page): Promise<{ sent: string[]; local: string | undefined; processed: string | undefined }> {
  return page.evaluate(async () => {
    const w = window as unknown as {
      __parleyCall: { getStats(): Promise<Record<string, RTCStats[]>>; localTracks: MediaStreamTrack[] };
      __parleyBackground?: Processor;
    };
    const sent: string[] = [];
    for (const list of Object.values(await w.__parleyCall.getStats())) {
      const byId = new Map(list.map((s) => [s.id, s as RTCStats & Record<string, unknown>]));
      for (const s of byId.values()) {
        if (s.type !== 'outbound-rtp' || s.kind !== 'video') continue;
        const source = byId.get(String(s.mediaSourceId));
        if (source) sent.push(String(source.trackIdentifier));
      }
    }
    const bg = w.__parleyBackground;
    return {
      sent: [...new Set(sent)],
      local: w.__parleyCall.localTracks.find((t) => t.kind === 'video')?.id,
      processed: bg && bg.track.readyState === 'live' ? bg.track.id : undefined,
    };
  });
}

/** Wait until the page sends exactly its call's local video track (the replaceTrack landed). */
async function waitSendsLocal(page: Page, want: 'processed' | 'camera'): Promise<void> {
  let last = await sending(page);
  for (let i = 0; i < 100; i++) {
    const isProcessed = last.local !== undefined && last.local === last.processed;
    if (last.sent.length === 1 && last.sent[0] === last.local && isProcessed === (want === 'processed')) return;
    await page.waitForTimeout(100);
    last = await sending(page);
  }
  throw new Error(`expected the ${want} track to be sent, saw ${JSON.stringify(last)}`);
}

interface Picture {
  width: number;
  height: number;
  /** Share of pixels within a small distance of the background colour. */
  colourShare: number;
  /** Mean absolute difference between horizontally neighbouring pixels (edges; blur lowers it). */
  sharpness: number;
}

/** Sample the first remote video the page shows, in a canvas. */
function receivedPicture(page: Page, colour: { r: number; g: number; b: number }): Promise<Picture> {
  return page.evaluate((c) => {
    const video = document.querySelector<HTMLVideoElement>('[data-testid="remote-tile"] video');
    if (!video || video.videoWidth === 0) throw new Error('no remote video to sample');
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('no 2D canvas');
    ctx.drawImage(video, 0, 0);
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    let near = 0;
    let edges = 0;
    const px = canvas.width * canvas.height;
    for (let i = 0; i < data.length; i += 4) {
      const d = Math.abs(data[i]! - c.r) + Math.abs(data[i + 1]! - c.g) + Math.abs(data[i + 2]! - c.b);
      if (d <= 45) near++;
      if ((i / 4) % canvas.width !== 0) {
        edges +=
          (Math.abs(data[i]! - data[i - 4]!) +
            Math.abs(data[i + 1]! - data[i - 3]!) +
            Math.abs(data[i + 2]! - data[i - 2]!)) /
          3;
      }
    }
    return { width: canvas.width, height: canvas.height, colourShare: near / px, sharpness: edges / px };
  }, colour);
}

/** The average of a few samples taken `gapMs` apart (the fake camera's picture moves). */
async function averagePicture(page: Page, samples = 5, gapMs = 300): Promise<Picture> {
  const all: Picture[] = [];
  for (let i = 0; i < samples; i++) {
    all.push(await receivedPicture(page, BACKGROUND_COLOUR));
    await page.waitForTimeout(gapMs);
  }
  const mean = (f: (p: Picture) => number): number => all.reduce((s, p) => s + f(p), 0) / all.length;
  return {
    width: all[0]!.width,
    height: all[0]!.height,
    colourShare: mean((p) => p.colourShare),
    sharpness: mean((p) => p.sharpness),
  };
}

/** Frames the page decodes per second over `ms`. */
async function decodeRate(page: Page, ms: number): Promise<number> {
  const a = (await inboundTotals(page)).videoFramesDecoded;
  const t0 = Date.now();
  await page.waitForTimeout(ms);
  const b = (await inboundTotals(page)).videoFramesDecoded;
  return ((b - a) * 1000) / (Date.now() - t0);
}

/** Main-thread busy time of the page's renderer (Chromium's own metric), in % of one core over `ms`. */
async function pageCpu(cdp: CDPSession, page: Page, ms: number): Promise<number> {
  const busy = async (): Promise<number> => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    return metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0;
  };
  const a = await busy();
  const t0 = Date.now();
  await page.waitForTimeout(ms);
  const b = await busy();
  return ((b - a) * 1000 * 100) / (Date.now() - t0);
}

const processorStats = (page: Page): Promise<ReturnType<Processor['stats']> | null> =>
  page.evaluate(() => (window as unknown as { __parleyBackground?: Processor }).__parleyBackground?.stats() ?? null);

async function chooseBackground(page: Page, label: 'None' | 'Blur' | 'Colour'): Promise<void> {
  const button = page.getByRole('button', { name: `Background: ${label}` });
  await button.click();
  await page.waitForFunction(
    (name) =>
      document.querySelector(`button[aria-label="Background: ${name}"]`)?.getAttribute('aria-pressed') === 'true',
    label,
  );
}

const fmt = (n: number, d = 1): string => n.toFixed(d);

test(
  'blur and colour through the in-call menu: the processed track is sent, decoded and changes the picture',
  longVariant(),
  async () => {
    const alice = await newParticipant(fx.browser, fx.server.url, { viewport: { width: 1100, height: 720 } });
    const bob = await newParticipant(fx.browser, fx.server.url);
    try {
      const consoleErrors: string[] = [];
      alice.page.on('console', (m) => {
        if (m.type() === 'error') consoleErrors.push(m.text());
      });
      await joinThroughUi(alice.page, 'Alice', 'e2e-background');
      await joinThroughUi(bob.page, 'Bob', 'e2e-background');
      await Promise.all([waitForRemoteVideos(alice.page, 1), waitForRemoteVideos(bob.page, 1)]);
      await waitSendsLocal(alice.page, 'camera');
      const cdp = await alice.context.newCDPSession(alice.page);
      await cdp.send('Performance.enable');

      // The raw camera: what Bob receives, and what it costs Alice to send it.
      await bob.page.waitForTimeout(1_000);
      const raw = await averagePicture(bob.page);
      const rawCpu = await pageCpu(cdp, alice.page, 5_000);
      const rawFps = await decodeRate(bob.page, 3_000);
      assert.ok(raw.colourShare < 0.05, `the raw camera is not the background colour (${fmt(raw.colourShare, 3)})`);

      // Colour, chosen in the call's Devices panel as a person would.
      await chooseMore(alice.page, 'Devices');
      assert.equal(
        await alice.page.evaluate(() => typeof (window as { SelfieSegmentation?: unknown }).SelfieSegmentation),
        'undefined',
        'the model is not loaded before it is turned on',
      );
      await chooseBackground(alice.page, 'Colour');
      await waitSendsLocal(alice.page, 'processed');
      const processed = await sending(alice.page);
      assert.notEqual(processed.local, undefined);
      await bob.page.waitForTimeout(1_500);
      const colourFps = await decodeRate(bob.page, 3_000);
      assert.ok(colourFps > 2, `Bob still decodes Alice's video (${fmt(colourFps)} fps)`);
      const colour = await averagePicture(bob.page);
      console.log(
        `colour: background colour covers ${fmt(colour.colourShare * 100)} % of the received picture (raw camera ${fmt(raw.colourShare * 100)} %)`,
      );
      assert.ok(
        colour.colourShare > 0.2,
        `a large share of the received picture is the chosen colour (${fmt(colour.colourShare, 3)})`,
      );

      // Blur: the colour goes, and the received picture is smoother than the raw camera's.
      await chooseBackground(alice.page, 'Blur');
      await alice.page.waitForFunction(
        () => (window as unknown as { __parleyBackground?: Processor }).__parleyBackground?.mode === 'blur',
      );
      await waitSendsLocal(alice.page, 'processed');
      const blurTrack = (await sending(alice.page)).local;
      assert.notEqual(blurTrack, processed.local, 'a new processed track for the new mode');
      await bob.page.waitForTimeout(1_500);
      const blurCpu = await pageCpu(cdp, alice.page, 5_000);
      const blurFps = await decodeRate(bob.page, 3_000);
      const blurred = await averagePicture(bob.page);
      const stats = await processorStats(alice.page);
      console.log(
        `blur: Bob decodes ${fmt(blurFps)} fps (raw camera ${fmt(rawFps)} fps, colour ${fmt(colourFps)} fps); ` +
          `sharpness ${fmt(blurred.sharpness, 2)} vs raw ${fmt(raw.sharpness, 2)}; ` +
          `Alice's renderer main thread ${fmt(blurCpu)} % of a core (raw camera ${fmt(rawCpu)} %)`,
      );
      console.log(`blur processor: ${JSON.stringify(stats)}`);
      if (stats) {
        console.log(
          `blur processor: ${fmt(stats.framesOut / stats.seconds)} frames/s out of ${fmt(stats.framesIn / stats.seconds)} in, ` +
            `composite ${fmt(stats.compositeMs, 2)} ms/frame, model ${fmt(stats.modelMs)} ms/run at ` +
            `${fmt(stats.modelRuns / stats.seconds)} runs/s (pacer allows ${fmt(stats.modelFps)}), path ${stats.path}`,
        );
      }
      assert.ok(blurFps > 2, `Bob still decodes Alice's blurred video (${fmt(blurFps)} fps)`);
      assert.ok(blurred.colourShare < 0.05, `no colour background any more (${fmt(blurred.colourShare, 3)})`);
      assert.ok(
        blurred.sharpness < raw.sharpness * 0.85,
        `the received picture is blurred (edges ${fmt(blurred.sharpness, 2)} vs raw ${fmt(raw.sharpness, 2)})`,
      );

      // No serious accessibility problem with the picker open.
      assert.deepEqual(await seriousViolations(alice.page), []);

      // None: the camera goes out as it is again, still without a new negotiation being needed.
      await chooseBackground(alice.page, 'None');
      await waitSendsLocal(alice.page, 'camera');
      await bob.page.waitForTimeout(1_000);
      const back = await averagePicture(bob.page);
      assert.ok(back.colourShare < 0.05);
      assert.ok(
        (await decodeRate(bob.page, 2_000)) > 2,
        'Bob decodes the raw camera again after the effect is turned off',
      );
      // The processor let go of everything: its output ended.
      assert.equal(
        await alice.page.evaluate(
          () => (window as unknown as { __parleyBackground?: Processor }).__parleyBackground?.track.readyState,
        ),
        'ended',
      );
      // Remembered for the next call.
      const saved = await alice.page.evaluate(() => localStorage.getItem('parley:devices'));
      assert.equal(JSON.parse(saved ?? '{}').background, 'none');
      assert.deepEqual(
        consoleErrors.filter((e) => /segment|mediapipe|wasm/i.test(e)),
        [],
        'no model errors in the console',
      );
    } finally {
      await alice.context.close();
      await bob.context.close();
    }
  },
);

test('chosen on the pre-join screen: the preview is processed, the call sends it from the start, camera off and on', async () => {
  const alice = await newParticipant(fx.browser, fx.server.url);
  const bob = await newParticipant(fx.browser, fx.server.url);
  try {
    await alice.page.goto('/r/e2e-background-prejoin');
    await preJoinReady(alice.page);
    await chooseBackground(alice.page, 'Colour');
    // The preview shows the processed camera.
    await alice.page.waitForFunction(() => {
      const v = document.querySelector<HTMLVideoElement>('video[aria-label="Your camera preview"]');
      const bg = (window as unknown as { __parleyBackground?: Processor }).__parleyBackground;
      const shown = (v?.srcObject as MediaStream | null)?.getVideoTracks()[0];
      return bg !== undefined && shown === bg.track && v !== null && v.videoWidth > 0;
    });
    await alice.page.getByLabel('Username').fill('Alice');
    await joinFromPreJoin(alice.page);
    await joinThroughUi(bob.page, 'Bob', 'e2e-background-prejoin');
    await waitForRemoteVideos(bob.page, 1);
    await waitSendsLocal(alice.page, 'processed');
    await bob.page.waitForTimeout(1_000);
    const pic = await averagePicture(bob.page, 3);
    assert.ok(pic.colourShare > 0.2, `the first frames Bob sees already have the colour (${fmt(pic.colourShare, 3)})`);

    // Camera off and on again: the processed track follows.
    await alice.page.getByRole('button', { name: 'Camera off', exact: true }).click();
    await bob.page.waitForSelector('[data-testid="remote-tile"] [aria-label="camera off"]');
    await alice.page.getByRole('button', { name: 'Camera on', exact: true }).click();
    await bob.page.waitForSelector('[data-testid="remote-tile"] [aria-label="camera off"]', { state: 'detached' });
    await waitSendsLocal(alice.page, 'processed');
    await bob.page.waitForTimeout(1_500);
    assert.ok((await decodeRate(bob.page, 2_000)) > 2, 'Bob decodes again after the camera came back');
    const again = await averagePicture(bob.page, 3);
    assert.ok(again.colourShare > 0.2, `still the colour background (${fmt(again.colourShare, 3)})`);
  } finally {
    await alice.context.close();
    await bob.context.close();
  }
});

test('a model that cannot run: the camera goes out as it is, with a visible note', async () => {
  const alice = await newParticipant(fx.browser, fx.server.url);
  const bob = await newParticipant(fx.browser, fx.server.url);
  try {
    // No WebGL2 on this page (as on a browser without it).
    await alice.page.addInitScript(() => {
      const get = HTMLCanvasElement.prototype.getContext;
      HTMLCanvasElement.prototype.getContext = function (this: HTMLCanvasElement, id: string, ...rest: unknown[]) {
        if (id === 'webgl2') return null;
        return (get as (...a: unknown[]) => unknown).call(this, id, ...rest);
      } as typeof get;
    });
    await joinThroughUi(alice.page, 'Alice', 'e2e-background-fail');
    await joinThroughUi(bob.page, 'Bob', 'e2e-background-fail');
    await waitForRemoteVideos(bob.page, 1);
    await chooseMore(alice.page, 'Devices');
    await chooseBackground(alice.page, 'Blur');
    const note = alice.page.getByRole('status').filter({ hasText: 'Background effects are not working here' });
    await note.waitFor();
    assert.match((await note.textContent()) ?? '', /WebGL2.*your camera is sent as it is/);
    await waitSendsLocal(alice.page, 'camera');
    assert.ok((await decodeRate(bob.page, 2_000)) > 2, 'Bob keeps decoding the raw camera');
  } finally {
    await alice.context.close();
    await bob.context.close();
  }
});

test('in a room through the forwarding unit: colour on in the call reaches the other side', async () => {
  const sfu = await startServer({ env: { ROOM_TOPOLOGY: 'sfu', SFU_ANNOUNCED_IPS: '127.0.0.1', LOG_LEVEL: 'warn' } });
  const alice = await newParticipant(fx.browser, sfu.url);
  const bob = await newParticipant(fx.browser, sfu.url);
  try {
    const ready = (await (await fetch(`${sfu.url}/readyz`)).json()) as { details: { sfu: { state: string } } };
    if (ready.details.sfu.state === 'unavailable' || ready.details.sfu.state === 'off') {
      console.log(`forwarding unit not available here (${ready.details.sfu.state}): skipped`);
      return;
    }
    await joinThroughUi(alice.page, 'Alice', 'e2e-background-sfu');
    await joinThroughUi(bob.page, 'Bob', 'e2e-background-sfu');
    await waitForRemoteVideos(bob.page, 1, 30_000);
    assert.equal(
      await alice.page.evaluate(
        () =>
          (window as unknown as { __parleyCall: { snapshot: { topology: string | null } } }).__parleyCall.snapshot
            .topology,
      ),
      'sfu',
    );
    const raw = await averagePicture(bob.page, 3);
    await chooseMore(alice.page, 'Devices');
    await chooseBackground(alice.page, 'Colour');
    await alice.page.waitForFunction(() => {
      const w = window as unknown as {
        __parleyBackground?: Processor;
        __parleyCall: { localTracks: MediaStreamTrack[] };
      };
      return w.__parleyCall.localTracks.some((t) => t === w.__parleyBackground?.track);
    });
    let colour = await averagePicture(bob.page, 3);
    for (let i = 0; i < 20 && colour.colourShare <= 0.2; i++) {
      await bob.page.waitForTimeout(500);
      colour = await averagePicture(bob.page, 3);
    }
    const fps = await decodeRate(bob.page, 3_000);
    console.log(
      `sfu colour: Bob decodes ${fmt(fps)} fps; colour covers ${fmt(colour.colourShare * 100)} % (raw ${fmt(raw.colourShare * 100)} %)`,
    );
    assert.ok(raw.colourShare < 0.05);
    assert.ok(
      colour.colourShare > 0.2,
      `the colour reaches Bob through the forwarding unit (${fmt(colour.colourShare, 3)})`,
    );
    assert.ok(fps > 2, `Bob decodes (${fmt(fps)} fps)`);
  } finally {
    await alice.context.close();
    await bob.context.close();
    await sfu.kill('SIGTERM');
  }
});

test('Join pressed while the model still loads: the call puts the chosen effect on once it can', async () => {
  const alice = await newParticipant(fx.browser, fx.server.url);
  const bob = await newParticipant(fx.browser, fx.server.url);
  try {
    await alice.page.goto('/r/e2e-background-early');
    await preJoinReady(alice.page);
    await alice.page.getByLabel('Username').fill('Alice');
    await alice.page.getByRole('button', { name: 'Background: Colour' }).click();
    // At once, before the model is ready.
    await joinFromPreJoin(alice.page);
    await joinThroughUi(bob.page, 'Bob', 'e2e-background-early');
    await waitForRemoteVideos(bob.page, 1);
    await waitSendsLocal(alice.page, 'processed');
    let pic = await averagePicture(bob.page, 3);
    for (let i = 0; i < 20 && pic.colourShare <= 0.2; i++) {
      await bob.page.waitForTimeout(500);
      pic = await averagePicture(bob.page, 3);
    }
    assert.ok(pic.colourShare > 0.2, `Bob gets the colour background (${fmt(pic.colourShare, 3)})`);
  } finally {
    await alice.context.close();
    await bob.context.close();
  }
});
