import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { newParticipant } from './support/browser';
import { joinThroughUi, waitForRemoteVideos } from './support/call';
import { useServerAndChromium } from './support/fixture';
import { startServer, type RunningServer } from './support/server';

/*
 * A screen shared with its sound: the others receive a `screen-audio` track that carries sound,
 * in a mesh and through the forwarding unit, and the sharer plays none of it. Then the
 * picture-in-picture window: it shows the active speaker and follows them.
 */

const fx = useServerAndChromium();
let sfu: RunningServer;

const SFU_ENV = { ROOM_TOPOLOGY: 'sfu', SFU_ANNOUNCED_IPS: '127.0.0.1', LOG_LEVEL: 'warn' };

before(async () => {
  sfu = await startServer({ env: SFU_ENV });
});

after(async () => {
  await sfu?.kill('SIGTERM');
});

/**
 * Share the fake screen with a generated tone as its sound, through the same entry point the
 * Share screen button uses once the browser has handed over its capture. Returns the id of the
 * tone's track and whether Chromium's own fake capture offers sound (printed).
 */
async function shareWithTone(page: Page): Promise<{ toneId: string; fakeCaptureHasAudio: boolean }> {
  return page.evaluate(async () => {
    const probe = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: true });
    const fakeCaptureHasAudio = probe.getAudioTracks().length > 0;
    for (const t of probe.getAudioTracks()) t.stop();
    const ctx = new AudioContext();
    const osc = ctx.createOscillator();
    osc.frequency.value = 440;
    const gain = ctx.createGain();
    gain.gain.value = 0.5;
    const dest = ctx.createMediaStreamDestination();
    osc.connect(gain).connect(dest);
    osc.start();
    const tone = dest.stream.getAudioTracks()[0];
    const video = probe.getVideoTracks()[0];
    if (!tone || !video) throw new Error('no tone or no screen');
    const w = window as unknown as { __parleyScreen: { share(s: MediaStream): string | null }; __tone: AudioContext };
    w.__tone = ctx;
    const problem = w.__parleyScreen.share(new MediaStream([video, tone]));
    if (problem) throw new Error(problem);
    return { toneId: tone.id, fakeCaptureHasAudio };
  });
}

/** The loudest RMS level (0 to 1) of the screen sound the page plays, over about a second. */
async function screenSoundLevel(page: Page): Promise<number> {
  await page.locator('audio[data-role="screen-audio"]').waitFor({ state: 'attached', timeout: 20_000 });
  return page.evaluate(async () => {
    const el = document.querySelector<HTMLAudioElement>('audio[data-role="screen-audio"]');
    const stream = el?.srcObject as MediaStream | null;
    if (!stream) throw new Error('no screen sound element');
    const ctx = new AudioContext();
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 2048;
    ctx.createMediaStreamSource(stream).connect(analyser);
    const buf = new Float32Array(analyser.fftSize);
    let max = 0;
    for (let i = 0; i < 40; i++) {
      await new Promise((r) => setTimeout(r, 50));
      analyser.getFloatTimeDomainData(buf);
      let sum = 0;
      for (const x of buf) sum += x * x;
      max = Math.max(max, Math.sqrt(sum / buf.length));
    }
    await ctx.close();
    return max;
  });
}

/** Whether any media element of the page plays (or holds) the track with id `trackId`. */
function playsTrack(page: Page, trackId: string): Promise<string[]> {
  return page.evaluate(
    (id) =>
      [...document.querySelectorAll<HTMLMediaElement>('audio, video')]
        .filter((el) => (el.srcObject as MediaStream | null)?.getTracks().some((t) => t.id === id))
        .map((el) => `${el.tagName} ${el.getAttribute('aria-label') ?? ''} muted=${el.muted}`),
    trackId,
  );
}

for (const topology of ['mesh', 'sfu'] as const) {
  test(`screen sharing with sound (${topology}): the other side hears it, the sharer does not`, async () => {
    const server = topology === 'mesh' ? fx.server : sfu;
    const a = await newParticipant(fx.browser, server.url);
    const b = await newParticipant(fx.browser, server.url);
    try {
      await joinThroughUi(a.page, 'Alice', `e2e-screen-audio-${topology}`);
      await joinThroughUi(b.page, 'Bob', `e2e-screen-audio-${topology}`);
      await Promise.all([waitForRemoteVideos(a.page, 1, 30_000), waitForRemoteVideos(b.page, 1, 30_000)]);

      if (topology === 'mesh') {
        // The Share screen button: Chromium's fake capture offers sound, which goes out with it.
        await a.page.getByRole('button', { name: 'Share screen' }).click();
        await b.page.locator('audio[data-role="screen-audio"]').waitFor({ state: 'attached', timeout: 20_000 });
        const sends = await a.page.evaluate(
          () => (window as unknown as { __parleyScreen: { sharingAudio: boolean } }).__parleyScreen.sharingAudio,
        );
        assert.equal(sends, true, 'the share sends the capture sound');
        await a.page.getByRole('button', { name: 'Stop sharing' }).click();
        await b.page.locator('audio[data-role="screen-audio"]').waitFor({ state: 'detached', timeout: 15_000 });
      }
      // A steady tone as the shared sound, to measure what arrives.
      const { toneId, fakeCaptureHasAudio } = await shareWithTone(a.page);
      console.log(`Chromium's fake display capture offers sound: ${fakeCaptureHasAudio}`);
      await b.page.getByLabel("Alice's screen", { exact: true }).waitFor({ timeout: 20_000 });
      const level = await screenSoundLevel(b.page);
      console.log(`${topology}: screen sound RMS at Bob: ${level.toFixed(3)}`);
      assert.ok(level > 0.02, `Bob hears the shared sound (RMS ${level})`);
      // Received as the screen's sound, not mixed into Alice's microphone on her tile.
      const roles = await b.page.evaluate(() =>
        [...document.querySelectorAll<HTMLAudioElement>('audio[data-role="screen-audio"]')].map(
          (el) => (el.srcObject as MediaStream).getAudioTracks().length,
        ),
      );
      assert.deepEqual(roles, [1]);

      // Alice: nothing on her page holds the tone (her own screen tile has the picture only).
      assert.deepEqual(await playsTrack(a.page, toneId), []);
      assert.equal(await a.page.locator('audio[data-role="screen-audio"]').count(), 0);

      // Stopping the share ends the sound at Bob too.
      await a.page.getByRole('button', { name: 'Stop sharing' }).click();
      await b.page.locator('audio[data-role="screen-audio"]').waitFor({ state: 'detached', timeout: 15_000 });
    } finally {
      await Promise.all([a.context.close(), b.context.close()]);
    }
  });
}

/** Who the page's picture-in-picture window shows: the participant id, and whether it is their tile's stream. */
function pipShows(page: Page): Promise<{ id: string | null; sameStreamAsTile: boolean }> {
  return page.evaluate(() => {
    const pip = document.pictureInPictureElement as HTMLVideoElement | null;
    if (!pip) return { id: null, sameStreamAsTile: false };
    const id = pip.dataset.participantId ?? null;
    const tile = document.querySelector<HTMLVideoElement>(
      `[data-testid="remote-tile"][data-participant-id="${id}"] video`,
    );
    return { id, sameStreamAsTile: tile !== null && tile.srcObject === pip.srcObject };
  });
}

async function waitPipShows(page: Page, id: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = await pipShows(page);
  while (Date.now() < deadline) {
    if (last.id === id && last.sameStreamAsTile) return;
    await page.waitForTimeout(200);
    last = await pipShows(page);
  }
  throw new Error(`picture in picture shows ${JSON.stringify(last)}, expected ${id}`);
}

test('picture in picture: shows the active speaker and follows them, or your pinned tile; closing it resets the button', async () => {
  const [a, b, c] = await Promise.all([1, 2, 3].map(() => newParticipant(fx.browser, fx.server.url)));
  if (!a || !b || !c) throw new Error('no pages');
  try {
    await joinThroughUi(a.page, 'Alice', 'e2e-pip');
    await joinThroughUi(b.page, 'Bob', 'e2e-pip');
    await joinThroughUi(c.page, 'Carol', 'e2e-pip');
    const seen = await waitForRemoteVideos(a.page, 2, 30_000);
    const id = (name: string): string => seen.find((v) => v.name === name)?.id ?? '';
    // Only Bob's (fake, beeping) microphone is on: he is the active speaker.
    await a.page.getByRole('button', { name: 'Mute', exact: true }).click();
    await c.page.getByRole('button', { name: 'Mute', exact: true }).click();

    const button = a.page.getByRole('button', { name: 'Picture in picture' });
    await button.click();
    await a.page.waitForFunction(() => document.pictureInPictureElement !== null, undefined, { timeout: 10_000 });
    assert.equal(await button.getAttribute('aria-pressed'), 'true');
    await waitPipShows(a.page, id('Bob'));

    // Carol speaks, Bob stops: the window follows Carol.
    await b.page.getByRole('button', { name: 'Mute', exact: true }).click();
    await c.page.getByRole('button', { name: 'Unmute', exact: true }).click();
    await waitPipShows(a.page, id('Carol'));

    // Alice pins Bob: the window shows him while Carol speaks; unpinned, it follows Carol again.
    await a.page.getByRole('button', { name: 'Pin Bob', exact: true }).click();
    await waitPipShows(a.page, id('Bob'));
    await a.page.getByRole('button', { name: 'Unpin Bob', exact: true }).click();
    await waitPipShows(a.page, id('Carol'));

    // The window is closed (as with the browser's own close button): the button says so.
    await a.page.evaluate(() => document.exitPictureInPicture());
    await a.page.waitForFunction(
      () =>
        [...document.querySelectorAll('button')]
          .find((x) => x.textContent === 'Picture in picture')
          ?.getAttribute('aria-pressed') === 'false',
      undefined,
      { timeout: 10_000 },
    );
  } finally {
    await Promise.all([a.context.close(), b.context.close(), c.context.close()]);
  }
});
