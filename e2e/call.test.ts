import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newParticipant } from './support/browser';
import { firstFrameAt, inboundTotals, joinThroughUi, remoteVideos, waitForRemoteVideos } from './support/call';
import { useServerAndChromium } from './support/fixture';

const fx = useServerAndChromium();

test('two people join through the UI, see and hear each other, and Leave removes the tile', async () => {
  const alice = await newParticipant(fx.browser, fx.server.url);
  const bob = await newParticipant(fx.browser, fx.server.url);
  try {
    await joinThroughUi(alice.page, 'Alice', 'e2e-two');
    await alice.page.getByText('Waiting for others to join').waitFor();
    const secondClick = await joinThroughUi(bob.page, 'Bob', 'e2e-two');

    const [atAlice, atBob] = await Promise.all([waitForRemoteVideos(alice.page, 1), waitForRemoteVideos(bob.page, 1)]);
    assert.equal(atAlice[0]?.name, 'Bob');
    assert.equal(atBob[0]?.name, 'Alice');
    assert.ok((atAlice[0]?.width ?? 0) > 0 && (atBob[0]?.width ?? 0) > 0, 'remote videoWidth > 0 on both sides');
    // Each side's camera encoder starts at the room's ceiling (1 Mbps for two), not 300 kbps.
    for (const page of [alice.page, bob.page]) {
      const remoteSdp = await page.evaluate(
        () =>
          [
            ...(
              window as unknown as { __parleyCall: { transport: { links(): Map<string, { pc: RTCPeerConnection }> } } }
            ).__parleyCall.transport
              .links()
              .values(),
          ][0]?.pc.remoteDescription?.sdp ?? '',
      );
      assert.match(remoteSdp, /a=fmtp:\d+ (.*;)?x-google-start-bitrate=1000/);
    }

    const [firstA, firstB] = await Promise.all([firstFrameAt(alice.page), firstFrameAt(bob.page)]);
    assert.ok(firstA && firstB, 'both pages marked their first decoded frame');
    console.log(
      `call set-up: second Join click -> first decoded frame: Alice ${Math.round(firstA - secondClick)} ms, Bob ${Math.round(firstB - secondClick)} ms, both ${Math.round(Math.max(firstA, firstB) - secondClick)} ms`,
    );

    // Audio flows both ways and decoding goes on.
    await alice.page.waitForTimeout(1_000);
    const [statsA, statsB] = await Promise.all([inboundTotals(alice.page), inboundTotals(bob.page)]);
    assert.ok(statsA.audioPackets > 0, `Alice receives audio packets (${statsA.audioPackets})`);
    assert.ok(statsB.audioPackets > 0, `Bob receives audio packets (${statsB.audioPackets})`);
    assert.ok(statsA.videoFramesDecoded > 0 && statsB.videoFramesDecoded > 0);

    // The remote video element plays with sound (not muted).
    const remoteMuted = await alice.page
      .locator('[data-testid="remote-tile"] video')
      .evaluate((v: HTMLVideoElement) => v.muted);
    assert.equal(remoteMuted, false, 'remote video is not muted');

    // Bob leaves: he is back on the home page and his tile disappears at Alice within 5 s.
    const leftAt = Date.now();
    await bob.page.getByRole('button', { name: 'Leave' }).click();
    await bob.page.getByLabel('Username').waitFor();
    await alice.page.locator('[data-testid="remote-tile"]').waitFor({ state: 'detached', timeout: 5_000 });
    console.log(`Leave -> tile removed at the other side: ${Date.now() - leftAt} ms`);
    assert.equal((await remoteVideos(alice.page)).length, 0);
  } finally {
    await alice.context.close();
    await bob.context.close();
  }
});

test('mute and camera-off show on the other side', async () => {
  const alice = await newParticipant(fx.browser, fx.server.url);
  const bob = await newParticipant(fx.browser, fx.server.url);
  try {
    await joinThroughUi(alice.page, 'Alice', 'e2e-mute');
    await joinThroughUi(bob.page, 'Bob', 'e2e-mute');
    await Promise.all([waitForRemoteVideos(alice.page, 1), waitForRemoteVideos(bob.page, 1)]);
    await alice.page.getByRole('button', { name: 'Mute' }).click();
    await bob.page.locator('[data-testid="remote-tile"] [aria-label="microphone off"]').waitFor({ timeout: 5_000 });
    await alice.page.getByRole('button', { name: 'Camera off' }).click();
    await bob.page.locator('[data-testid="remote-tile"] [aria-label="camera off"]').waitFor({ timeout: 5_000 });
    await alice.page.getByRole('button', { name: 'Unmute' }).click();
    await bob.page
      .locator('[data-testid="remote-tile"] [aria-label="microphone off"]')
      .waitFor({ state: 'detached', timeout: 5_000 });
  } finally {
    await alice.context.close();
    await bob.context.close();
  }
});

test('a shared /r/:room link asks only for a name, then joins the call', async () => {
  const alice = await newParticipant(fx.browser, fx.server.url);
  const bob = await newParticipant(fx.browser, fx.server.url);
  try {
    await joinThroughUi(alice.page, 'Alice', 'e2e-link');
    await bob.page.goto('/r/e2e-link');
    assert.equal(await bob.page.getByLabel('Room').count(), 0, 'no room field on an invite link');
    await bob.page.getByLabel('Username').fill('Bob');
    await bob.page.getByRole('button', { name: 'Join' }).click();
    await bob.page.waitForURL('**/call/Bob/e2e-link');
    await Promise.all([waitForRemoteVideos(alice.page, 1), waitForRemoteVideos(bob.page, 1)]);
  } finally {
    await alice.context.close();
    await bob.context.close();
  }
});

test('the home form refuses empty and invalid values with a message', async () => {
  const { context, page } = await newParticipant(fx.browser, fx.server.url);
  try {
    await page.goto('/');
    await page.getByLabel('Username').fill('');
    await page.getByRole('button', { name: 'Join' }).click();
    await page.getByText('Enter a name.').waitFor();
    await page.getByText('Enter a room name.').waitFor();
    await page.getByLabel('Username').fill('x'.repeat(41));
    await page.getByLabel('Room').fill('bad room!');
    await page.getByText('Names are at most 40 characters.').waitFor();
    await page.getByText('Room names may use letters, digits').waitFor();
    assert.equal(new URL(page.url()).pathname, '/');
    await page.getByRole('button', { name: 'Random room' }).click();
    assert.match(await page.getByLabel('Room').inputValue(), /^[a-z]+-[a-z]+-\d{4}$/);
  } finally {
    await context.close();
  }
});
