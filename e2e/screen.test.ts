import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { newParticipant } from './support/browser';
import { joinThroughUi, waitForRemoteVideos } from './support/call';
import { useServerAndChromium } from './support/fixture';

const fx = useServerAndChromium();

/** The decoded size of the remote screen tile labelled `label`, once it shows frames. */
async function screenSize(page: Page, label: string): Promise<{ width: number; height: number }> {
  const video = page.getByLabel(label, { exact: true });
  await video.waitFor({ timeout: 20_000 });
  await page.waitForFunction(
    (l) => {
      const v = document.querySelector(`video[aria-label="${l}"]`) as HTMLVideoElement | null;
      return v !== null && v.videoWidth > 0 && v.getVideoPlaybackQuality().totalVideoFrames > 0;
    },
    label,
    { timeout: 20_000 },
  );
  return video.evaluate((v: HTMLVideoElement) => ({ width: v.videoWidth, height: v.videoHeight }));
}

type Sent = { kind: string; tracks?: Array<{ role: string }> };

/**
 * Wrap the page's outgoing signals: record what each description says of its tracks, and with
 * `asVersion1` leave that out, as a client from before track roles does.
 */
async function watchSignals(page: Page, asVersion1: boolean): Promise<void> {
  await page.evaluate((strip) => {
    const w = window as unknown as {
      __parleyCall: { signaling: { signal(to: string, data: Sent): void } };
      __sentRoles: string[][];
    };
    const s = w.__parleyCall.signaling;
    const send = s.signal.bind(s);
    w.__sentRoles = [];
    s.signal = (to, data) => {
      if (data.kind !== 'description') return send(to, data);
      w.__sentRoles.push((data.tracks ?? []).map((t) => t.role).sort());
      if (!strip) return send(to, data);
      const old = { ...data };
      delete old.tracks;
      send(to, old);
    };
  }, asVersion1);
}

test('screen share: sent as an extra track, shown large with the sharer name, gone when the track ends', async () => {
  const a = await newParticipant(fx.browser, fx.server.url);
  const b = await newParticipant(fx.browser, fx.server.url);
  try {
    await joinThroughUi(a.page, 'Alice', 'e2e-screen');
    await joinThroughUi(b.page, 'Bob', 'e2e-screen');
    await Promise.all([waitForRemoteVideos(a.page, 1), waitForRemoteVideos(b.page, 1)]);

    await watchSignals(a.page, false);
    await a.page.getByRole('button', { name: 'Share screen' }).click();
    await a.page.getByLabel('Your screen (shared with everyone)').waitFor();
    const size = await screenSize(b.page, "Alice's screen");
    // Alice's offer for the screen said what each of her tracks is.
    const roles = await a.page.evaluate(() => (window as unknown as { __sentRoles: string[][] }).__sentRoles);
    // Chromium's fake capture comes with sound, which goes out with the picture as `screen-audio`.
    assert.deepEqual(
      roles[0]?.filter((r) => r !== 'screen-audio'),
      ['camera', 'microphone', 'screen'],
      'the renegotiation offer names every track',
    );
    console.log(`screen decoded at Bob: ${size.width}x${size.height}`);
    assert.ok(size.width >= 1280 && size.height >= 720, `a 1280x720-class screen (${size.width}x${size.height})`);
    // The camera keeps going beside the screen, and the layout switches to presenter view.
    const cams = await waitForRemoteVideos(b.page, 1);
    assert.equal(cams[0]?.name, 'Alice');
    assert.equal(await b.page.locator('.stage [data-testid="screen-tile"]').count(), 1);

    // Bob shares too: two presentations at once, each its own tile. His offer comes without
    // roles, as a version-1 client's would: Alice tells his screen by order.
    await watchSignals(b.page, true);
    await b.page.getByRole('button', { name: 'Share screen' }).click();
    await screenSize(a.page, "Bob's screen");

    // The browser ends Alice's capture (its own "Stop sharing"): the track ends, the tile goes at Bob.
    await a.page.evaluate(() => {
      const v = document.querySelector('video[aria-label="Your screen (shared with everyone)"]') as HTMLVideoElement;
      const track = (v.srcObject as MediaStream).getVideoTracks()[0];
      if (!track) throw new Error('no local screen track');
      track.stop();
      track.dispatchEvent(new Event('ended'));
    });
    await b.page.getByLabel("Alice's screen", { exact: true }).waitFor({ state: 'detached', timeout: 15_000 });
    await a.page.getByRole('button', { name: 'Share screen' }).waitFor();

    // Bob stops from the app; with no share left, the presenter view ends.
    await b.page.getByRole('button', { name: 'Stop sharing' }).click();
    await a.page.getByLabel("Bob's screen", { exact: true }).waitFor({ state: 'detached', timeout: 15_000 });
    assert.equal(await a.page.locator('.stage').count(), 0);
    assert.equal((await waitForRemoteVideos(a.page, 1))[0]?.name, 'Bob', 'the camera still flows');
  } finally {
    await Promise.all([a.context.close(), b.context.close()]);
  }
});
