import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BrowserPool, type BrowserName, type Participant } from './support/participant';
import { inboundByPeer, joinCall, waitForDecodingFrom } from './support/participantCall';
import { startServer, type RunningServer } from './support/server';

let server: RunningServer;
let browsers: BrowserPool;

before(async () => {
  server = await startServer();
  browsers = new BrowserPool(server.url);
  await browsers.warmUp();
});

after(async () => {
  await browsers?.close();
  await server?.kill('SIGTERM');
});

interface Person {
  name: string;
  p: Participant;
}

async function people(spec: Array<[string, BrowserName]>): Promise<Person[]> {
  return Promise.all(spec.map(async ([name, b]) => ({ name, p: await browsers.participant(b) })));
}

async function closeAll(list: Person[]): Promise<void> {
  await Promise.allSettled(list.map((x) => x.p.close()));
}

/** Everyone decodes everyone else's video and receives audio packets from each of them. */
async function assertFullMesh(list: Person[]): Promise<void> {
  await Promise.all(
    list.map((me) =>
      waitForDecodingFrom(
        me.p,
        list.filter((o) => o !== me).map((o) => o.name),
      ),
    ),
  );
  for (const me of list) {
    const deadline = Date.now() + 5_000;
    let byPeer = await inboundByPeer(me.p);
    while (
      (Object.keys(byPeer).length < list.length - 1 || Object.values(byPeer).some((s) => s.audioPackets === 0)) &&
      Date.now() < deadline
    ) {
      await new Promise((r) => setTimeout(r, 200));
      byPeer = await inboundByPeer(me.p);
    }
    assert.equal(Object.keys(byPeer).length, list.length - 1, `${me.name} has a link to each other person`);
    for (const [peer, s] of Object.entries(byPeer)) {
      assert.ok(s.audioPackets > 0, `${me.name} (${me.p.browser}) receives audio from ${peer}: ${JSON.stringify(s)}`);
      assert.ok(s.videoFramesDecoded > 0, `${me.name} (${me.p.browser}) decodes video from ${peer}`);
      assert.match(s.audioCodec, /^audio\/opus$/i, `${me.name} receives opus`);
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

      // The codec both ends agreed on is one Firefox can use (it has no H264 here).
      const [fromB, fromA] = [Object.values(await inboundByPeer(a.p))[0], Object.values(await inboundByPeer(b.p))[0]];
      for (const s of [fromB, fromA]) assert.match(s?.videoCodec ?? '', /^video\/(VP8|VP9|AV1)$/i);
      console.log(`negotiated codecs: ${fromB?.videoCodec} / ${fromB?.audioCodec}`);

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
