import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { newParticipant } from './support/browser';
import { inboundTotals, joinFromPreJoin, joinThroughUi, remoteVideos, waitForRemoteVideos } from './support/call';
import { chooseMore } from './support/features';
import { useServerAndChromium } from './support/fixture';

// Three fake cameras. fake_device_1 delivers Y16 (depth) frames that WebRTC does not encode,
// so the tests switch between fake_device_0 and fake_device_2 (both I420-like, 640x480).
const fx = useServerAndChromium({ chromiumArgs: ['--use-fake-device-for-media-stream=device-count=3'] });

/** Count every offer/answer a page applies, on any peer connection (installed before page scripts). */
async function countDescriptions(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __descriptions: number };
    w.__descriptions = 0;
    const proto = RTCPeerConnection.prototype;
    const setRemote = proto.setRemoteDescription;
    proto.setRemoteDescription = function (this: RTCPeerConnection, ...args: Parameters<typeof setRemote>) {
      w.__descriptions++;
      return setRemote.apply(this, args);
    } as typeof setRemote;
  });
}

const descriptions = (page: Page): Promise<number> =>
  page.evaluate(() => (window as unknown as { __descriptions: number }).__descriptions);

/** The id of the camera track the page is sending, from its outbound RTP stats. */
function sentVideoTrack(
  page: Page,
): Promise<{ sent: string[]; local: string | undefined; deviceId: string | undefined }> {
  return page.evaluate(async () => {
    const call = (
      window as unknown as {
        __parleyCall: { getStats(): Promise<Record<string, RTCStats[]>>; localTracks: MediaStreamTrack[] };
      }
    ).__parleyCall;
    const sent: string[] = [];
    for (const list of Object.values(await call.getStats())) {
      const byId = new Map(list.map((s) => [s.id, s as RTCStats & Record<string, unknown>]));
      for (const s of byId.values()) {
        if (s.type !== 'outbound-rtp' || s.kind !== 'video') continue;
        const source = byId.get(String(s.mediaSourceId));
        if (source) sent.push(String(source.trackIdentifier));
      }
    }
    const video = call.localTracks.find((t) => t.kind === 'video');
    return { sent, local: video?.id, deviceId: video?.getSettings().deviceId };
  });
}

/** The options of the Camera picker: device id and label. */
function cameraOptions(page: Page): Promise<Array<{ id: string; label: string }>> {
  return page
    .getByLabel('Camera', { exact: true })
    .locator('option')
    .evaluateAll((os) => os.map((o) => ({ id: (o as HTMLOptionElement).value, label: o.textContent ?? '' })));
}

const framesOf = async (page: Page): Promise<number> => (await inboundTotals(page)).videoFramesDecoded;

test('switching camera mid-call uses replaceTrack: the other side keeps decoding, no new offer/answer', async () => {
  const alice = await newParticipant(fx.browser, fx.server.url, { viewport: { width: 1100, height: 720 } });
  const bob = await newParticipant(fx.browser, fx.server.url);
  try {
    await countDescriptions(alice.page);
    await countDescriptions(bob.page);
    await joinThroughUi(alice.page, 'Alice', 'e2e-switch');
    await joinThroughUi(bob.page, 'Bob', 'e2e-switch');
    await Promise.all([waitForRemoteVideos(alice.page, 1), waitForRemoteVideos(bob.page, 1)]);
    const before = { alice: await descriptions(alice.page), bob: await descriptions(bob.page) };
    assert.ok(before.alice >= 1 && before.bob >= 1, `both applied the first negotiation (${JSON.stringify(before)})`);

    const first = await sentVideoTrack(alice.page);
    assert.deepEqual(first.sent, [first.local], 'Alice sends her first camera');

    await chooseMore(alice.page, 'Devices');
    const picker = alice.page.getByLabel('Camera', { exact: true });
    const cameras = await cameraOptions(alice.page);
    assert.equal(cameras.length, 3, `the fake cameras are offered: ${JSON.stringify(cameras)}`);
    const other = cameras.find((c) => c.label === 'fake_device_2')?.id;
    assert.ok(other && other !== first.deviceId, 'another camera to switch to');
    await picker.selectOption(other);

    // Alice now sends the new camera's track...
    await alice.page.waitForFunction(
      (id) =>
        (window as unknown as { __parleyCall: { localTracks: MediaStreamTrack[] } }).__parleyCall.localTracks
          .find((t) => t.kind === 'video')
          ?.getSettings().deviceId === id,
      other,
    );
    let now = await sentVideoTrack(alice.page);
    for (let i = 0; i < 20 && now.sent[0] !== now.local; i++) {
      await alice.page.waitForTimeout(100);
      now = await sentVideoTrack(alice.page);
    }
    assert.notEqual(now.local, first.local, 'a new camera track');
    assert.deepEqual(now.sent, [now.local], 'the sender carries the new track');
    // The panel follows the call's change (it renders on the next update).
    let shown = await picker.inputValue();
    for (let i = 0; i < 50 && shown !== other; i++) {
      await alice.page.waitForTimeout(100);
      shown = await picker.inputValue();
    }
    assert.equal(shown, other, 'the picker shows the camera in use');

    // ...Bob keeps decoding it, and nobody negotiated again.
    const framesAtSwitch = await framesOf(bob.page);
    const shownAtSwitch = (await remoteVideos(bob.page))[0]?.frames ?? 0;
    await bob.page.waitForTimeout(1_500);
    const framesAfter = await framesOf(bob.page);
    const shownAfter = (await remoteVideos(bob.page))[0]?.frames ?? 0;
    console.log(
      `after the switch Bob decoded ${framesAfter - framesAtSwitch} and showed ${shownAfter - shownAtSwitch} frames in 1.5 s`,
    );
    assert.ok(
      framesAfter > framesAtSwitch + 5,
      `Bob keeps decoding (${framesAtSwitch} -> ${framesAfter} frames decoded)`,
    );
    const after = { alice: await descriptions(alice.page), bob: await descriptions(bob.page) };
    assert.deepEqual(after, before, 'no offer or answer was exchanged for the switch');

    // The choice is remembered for the next call.
    const saved = await alice.page.evaluate(() => localStorage.getItem('parley:devices'));
    assert.equal(JSON.parse(saved ?? '{}').videoinput, other);

    // The small menu beside the camera button lists the cameras, the one in use checked, and
    // switches back in one click; the Devices panel's picker follows.
    const firstCamera = cameras.find((c) => c.label === 'fake_device_0');
    assert.ok(firstCamera, 'fake_device_0 is offered');
    await alice.page.getByRole('button', { name: 'Camera options' }).click();
    const menu = alice.page.getByRole('menu', { name: 'Camera options' });
    await menu.waitFor();
    const radios = menu.getByRole('menuitemradio');
    assert.deepEqual(
      await radios.allInnerTexts().then((t) => t.map((x) => x.replace(/^✓\s*/, '').trim())),
      cameras.map((c) => c.label),
    );
    assert.equal(
      await menu
        .getByRole('menuitemradio', { checked: true })
        .innerText()
        .then((t) => t.replace(/^✓\s*/, '').trim()),
      'fake_device_2',
    );
    await menu.getByRole('menuitemradio', { name: 'fake_device_0' }).click();
    await menu.waitFor({ state: 'detached' });
    await alice.page.waitForFunction(
      (id) =>
        (window as unknown as { __parleyCall: { localTracks: MediaStreamTrack[] } }).__parleyCall.localTracks
          .find((t) => t.kind === 'video')
          ?.getSettings().deviceId === id,
      firstCamera.id,
    );
    await alice.page.waitForFunction((id) => {
      const select = [...document.querySelectorAll('select')].find((s) => [...s.options].some((o) => o.value === id));
      return select?.value === id;
    }, firstCamera.id);
    const framesBack = await framesOf(bob.page);
    await bob.page.waitForTimeout(1_000);
    assert.ok((await framesOf(bob.page)) > framesBack + 3, 'Bob keeps decoding after the switch back');
    // The microphone's menu lists the microphones and leads to the Devices panel.
    await alice.page.getByRole('button', { name: 'Microphone options' }).click();
    const micMenu = alice.page.getByRole('menu', { name: 'Microphone options' });
    assert.ok((await micMenu.getByRole('menuitemradio').count()) >= 1, 'microphones listed');
    const mics = micMenu.getByRole('group', { name: 'Microphone' });
    assert.equal(await mics.getByRole('menuitemradio', { checked: true }).count(), 1, 'the one in use checked');
    await alice.page.keyboard.press('Escape');
    await micMenu.waitFor({ state: 'detached' });
  } finally {
    await alice.context.close();
    await bob.context.close();
  }
});

test('pre-join: preview, level meter, device choice, join muted with camera off, name remembered', async () => {
  const alice = await newParticipant(fx.browser, fx.server.url);
  const bob = await newParticipant(fx.browser, fx.server.url);
  try {
    await joinThroughUi(bob.page, 'Bob', 'e2e-prejoin');

    // An invite link opens the pre-join screen with a name field and no room field.
    await alice.page.goto('/r/e2e-prejoin');
    await alice.page.getByRole('heading', { name: /Ready to join/ }).waitFor();
    assert.equal(await alice.page.getByLabel('Room').count(), 0);
    await alice.page.getByLabel('Username').fill('Alice');

    // The preview plays and the microphone meter moves (the fake microphone beeps).
    await alice.page.waitForFunction(() => {
      const v = document.querySelector<HTMLVideoElement>('video[aria-label="Your camera preview"]');
      return v !== null && v.videoWidth > 0 && v.getVideoPlaybackQuality().totalVideoFrames > 0;
    });
    await alice.page.waitForFunction(() => Number(document.querySelector('meter')?.value ?? 0) > 0.2, null, {
      timeout: 5_000,
    });

    // Pick the second camera in the preview.
    const picker = alice.page.getByLabel('Camera', { exact: true });
    const other = (await cameraOptions(alice.page)).find((c) => c.label === 'fake_device_2')?.id;
    assert.ok(other);
    await picker.selectOption(other);
    await alice.page.waitForFunction(
      (id) =>
        (
          document.querySelector<HTMLVideoElement>('video[aria-label="Your camera preview"]')
            ?.srcObject as MediaStream | null
        )
          ?.getVideoTracks()[0]
          ?.getSettings().deviceId === id,
      other,
    );
    assert.ok(await alice.page.getByLabel('Microphone', { exact: true }).isEnabled());

    await alice.page.getByLabel('Join muted').check();
    await alice.page.getByLabel('Join with camera off').check();
    await joinFromPreJoin(alice.page);
    await alice.page.waitForURL('**/call/Alice/e2e-prejoin');

    // Bob sees Alice muted with her camera off from the start; she still receives Bob.
    const tile = bob.page.locator('[data-testid="remote-tile"]');
    await tile.locator('[aria-label="microphone off"]').waitFor({ timeout: 10_000 });
    await tile.locator('[aria-label="camera off"]').waitFor();
    await waitForRemoteVideos(alice.page, 1);
    await alice.page.getByRole('button', { name: 'Unmute' }).waitFor();
    await alice.page.getByRole('button', { name: 'Camera on' }).waitFor();
    // The preview's camera went into the call (the second camera, not a fresh default).
    const used = await alice.page.evaluate(
      () =>
        (window as unknown as { __parleyCall: { localTracks: MediaStreamTrack[] } }).__parleyCall.localTracks
          .find((t) => t.kind === 'video')
          ?.getSettings().deviceId,
    );
    assert.equal(used, other);
    // The first connection was prepared on the pre-join screen before the camera was switched:
    // its offer went out with the join, and it sends the camera chosen afterwards.
    const sent = await alice.page.evaluate(() => {
      const call = (
        window as unknown as { __parleyCall: { transport: { links(): Map<string, { pc: RTCPeerConnection }> } } }
      ).__parleyCall;
      const [id, link] = [...call.transport.links()][0] ?? [];
      return {
        prepared: performance.getEntriesByName(`parley:offer-prepared:${id}`).length,
        camera: link?.pc
          .getSenders()
          .find((s) => s.track?.kind === 'video')
          ?.track?.getSettings().deviceId,
      };
    });
    assert.deepEqual(sent, { prepared: 1, camera: other });

    // Next visit: the name and the choices are remembered.
    await alice.page.getByRole('button', { name: 'Leave' }).click();
    await alice.page.goto('/r/another-room');
    await alice.page.getByRole('heading', { name: /Ready to join/ }).waitFor();
    assert.equal(await alice.page.getByLabel('Username').inputValue(), 'Alice');
    assert.equal(await alice.page.getByLabel('Join muted').isChecked(), true);
    await alice.page.waitForFunction(
      (id) => document.querySelector<HTMLSelectElement>('.device-select select')?.value === id,
      other,
    );
  } finally {
    await alice.context.close();
    await bob.context.close();
  }
});
