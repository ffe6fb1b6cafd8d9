import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BrowserCapabilities } from '../web/src/media/capabilities';
import { useServerAndChromium } from './support/fixture';
import type { BrowserName, Participant } from './support/participant';
import { joinCall, linkStatsByPeer, waitEveryoneDecodes } from './support/participantCall';

const fx = useServerAndChromium({ chromium: false, pool: {} });

interface Person {
  name: string;
  p: Participant;
}

async function people(spec: Array<[string, BrowserName]>): Promise<Person[]> {
  return Promise.all(spec.map(async ([name, b]) => ({ name, p: await fx.pool.participant(b) })));
}

async function closeAll(list: Person[]): Promise<void> {
  await Promise.allSettled(list.map((x) => x.p.close()));
}

const LOOPBACK = /^(127\.0\.0\.1|::1)$/;

/**
 * Everyone decodes everyone else's video and receives opus audio packets from each of them,
 * over a loopback candidate pair, in whichever browser they are.
 */
async function assertFullMesh(list: Person[]): Promise<void> {
  try {
    await waitEveryoneDecodes(list);
  } catch (err) {
    // Say what each link looked like, to tell a slow machine from a broken negotiation.
    for (const me of list) console.error(`${me.name} (${me.p.browser}):`, JSON.stringify(await linkStatsByPeer(me.p)));
    throw err;
  }
  for (const me of list) {
    const deadline = Date.now() + 5_000;
    let byPeer = await linkStatsByPeer(me.p);
    while (
      (Object.keys(byPeer).length < list.length - 1 ||
        Object.values(byPeer).some((s) => s.audioIn.packetsReceived === 0)) &&
      Date.now() < deadline
    ) {
      await new Promise((r) => setTimeout(r, 200));
      byPeer = await linkStatsByPeer(me.p);
    }
    assert.equal(Object.keys(byPeer).length, list.length - 1, `${me.name} has a link to each other person`);
    for (const [peer, s] of Object.entries(byPeer)) {
      const who = `${me.name} (${me.p.browser}) from ${peer}`;
      assert.ok(s.audioIn.packetsReceived > 0, `${who}: audio packets received ${JSON.stringify(s.audioIn)}`);
      assert.match(s.audioIn.codec, /^audio\/opus$/i, `${who}: opus`);
      assert.ok(s.videoIn.framesDecoded > 0, `${who}: video frames decoded`);
      // Firefox has no H264 here: the pair must have agreed on a codec both can use.
      assert.match(s.videoIn.codec, /^video\/(VP8|VP9|AV1)$/i, `${who}: video codec`);
      assert.ok(s.path, `${who}: a candidate pair is selected`);
      assert.match(
        s.path.local?.address ?? '',
        LOOPBACK,
        `${who}: local candidate on loopback ${JSON.stringify(s.path)}`,
      );
      // Chromium may not report a remote peer-reflexive candidate; when it does, it is loopback too.
      if (s.path.remote) assert.match(s.path.remote.address, LOOPBACK, `${who}: remote candidate on loopback`);
    }
  }
}

for (const [first, second] of [
  ['firefox', 'chromium'],
  ['chromium', 'firefox'],
] as const) {
  test(`${first} joins first, ${second} second: both see and hear each other`, async () => {
    const list = await people([
      [`First ${first}`, first],
      [`Second ${second}`, second],
    ]);
    const [a, b] = list as [Person, Person];
    try {
      await joinCall(a.p, a.name, `xb-${first}-first`);
      await a.p.waitForSelector('.waiting');
      const clicked = await joinCall(b.p, b.name, `xb-${first}-first`);
      await assertFullMesh(list);
      console.log(`${first} first -> ${second}: second Join click -> both decoding: ${Date.now() - clicked} ms`);

      const s = Object.values(await linkStatsByPeer(a.p))[0];
      console.log(`negotiated: ${s?.videoIn.codec} ${s?.videoIn.width}x${s?.videoIn.height} + ${s?.audioIn.codec}`);

      // Each browser detected what it can do; the agreed codec is one both of them reported.
      for (const x of list) {
        const caps = await x.p.evaluate(
          () =>
            (window as unknown as { __parleyCall?: { capabilities: BrowserCapabilities } }).__parleyCall?.capabilities,
        );
        assert.ok(caps, `${x.p.browser} exposes its capabilities`);
        assert.ok(caps.videoCodecs.includes(s?.videoIn.codec.replace(/^video\//, '') ?? ''), `${x.p.browser} codecs`);
        console.log(`${x.p.browser} capabilities: ${JSON.stringify(caps)}`);
        // The first decoded frame is marked in both browsers (frame callbacks or their fallback).
        const marked = await x.p.evaluate(() =>
          performance.getEntriesByType('mark').some((m) => m.name.startsWith('parley:first-frame:')),
        );
        assert.ok(marked, `${x.p.browser} marked its first decoded frame`);
      }

      // The remote video plays with sound in both browsers (autoplay allowed, not muted).
      for (const x of list) {
        const muted = await x.p.evaluate(() =>
          [...document.querySelectorAll<HTMLVideoElement>('[data-testid="remote-tile"] video')].map((v) => v.muted),
        );
        assert.deepEqual(muted, [false], `${x.p.browser} plays the remote video unmuted`);
      }

      // Leaving through the UI removes the tile at the other side, whichever browser leaves.
      await b.p.clickButton('Leave');
      await b.p.waitForSelector('input[name="username"]');
      await a.p.waitForSelector('[data-testid="remote-tile"]', { state: 'detached', timeoutMs: 5_000 });
    } finally {
      await closeAll(list);
    }
  });
}

test('three people, two in Chromium and one in Firefox: everyone decodes everyone', async () => {
  const list = await people([
    ['Ada', 'chromium'],
    ['Fox', 'firefox'],
    ['Cy', 'chromium'],
  ]);
  try {
    for (const x of list) await joinCall(x.p, x.name, 'xb-three');
    await assertFullMesh(list);
  } finally {
    await closeAll(list);
  }
});
