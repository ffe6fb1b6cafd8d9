import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { newParticipant } from './support/browser';
import { joinFromPreJoin, preJoinReady, waitForRemoteVideos } from './support/call';
import { chooseMore, openChat, sendChat, waitForChat } from './support/features';
import { useServerAndChromium } from './support/fixture';
import { BrowserPool, type Participant } from './support/participant';
import { joinByLink as joinByLinkIn, waitForDecodingFrom, waitForTexts } from './support/participantCall';
import { startServer } from './support/server';
import { decryptFrame, deriveSenderKey, senderTag } from '../web/src/e2ee/frameCrypto';
import { roomKeyFromFragment } from '../web/src/e2ee/roomKey';
import { decodeVp8Keyframe, thumbDistance, vp8KeyframeSize } from './support/vp8';

/** Thumbnails closer than this (mean brightness difference) show the same picture. */
const LIKE = 25;

/*
 * End-to-end encrypted rooms through the forwarding unit: two Chromium pages and a Firefox page
 * decode each other with the key from the link; after the Firefox page leaves, one with another
 * key sees the wrong-key notice and decodes nothing; an unencrypted joiner is refused; chat reaches the others while the
 * server holds only ciphertext, and the keyframes it forwards do not decode (its test tap,
 * PARLEY_TEST_TAP=1, shows what it stores and forwards).
 */

const fx = useServerAndChromium({
  server: {
    env: { ROOM_TOPOLOGY: 'sfu', SFU_ANNOUNCED_IPS: '127.0.0.1', LOG_LEVEL: 'warn', PARLEY_TEST_TAP: '1' },
  },
});

/** Run `fn` in a Playwright page or in any browser's Participant. */
function run<R>(target: Page | Participant, fn: () => R | Promise<R>): Promise<R> {
  return 'browser' in target && typeof target.browser === 'string'
    ? (target as Participant).evaluate(fn)
    : (target as Page).evaluate(fn);
}

/** Video frames decoded per remote participant, from the page's own getStats. */
function decodedPerParticipant(page: Page | Participant): Promise<Record<string, number>> {
  return run(page, async () => {
    const call = (window as unknown as { __parleyCall?: { getStats(): Promise<Record<string, RTCStats[]>> } })
      .__parleyCall;
    const out: Record<string, number> = {};
    if (!call) return out;
    for (const [id, list] of Object.entries(await call.getStats())) {
      out[id] = 0;
      for (const s of list as Array<RTCStats & Record<string, unknown>>) {
        if (s.type === 'inbound-rtp' && s.kind === 'video') out[id] += Number(s.framesDecoded ?? 0);
      }
    }
    return out;
  });
}

/** Mean brightness (0-255) of each remote tile's current picture. */
function tileBrightness(page: Page | Participant): Promise<number[]> {
  return run(page, () =>
    [...document.querySelectorAll<HTMLElement>('[data-testid="remote-tile"] video')].map((v) => {
      const video = v as HTMLVideoElement;
      const canvas = document.createElement('canvas');
      canvas.width = 32;
      canvas.height = 24;
      const ctx = canvas.getContext('2d');
      if (!ctx || video.videoWidth === 0) return 0;
      ctx.drawImage(video, 0, 0, 32, 24);
      const d = ctx.getImageData(0, 0, 32, 24).data;
      let sum = 0;
      for (let i = 0; i < d.length; i += 4) sum += (d[i]! + d[i + 1]! + d[i + 2]!) / 3;
      return sum / (d.length / 4);
    }),
  );
}

/** An invitation link (`/r/<room>#key=...`) opens the pre-join screen at once. */
async function joinByLink(page: Page, link: string, name: string): Promise<void> {
  await page.goto(link);
  await preJoinReady(page);
  await page.getByLabel('Username').fill(name);
  await joinFromPreJoin(page);
}

/** The next keyframes of every camera in `room`, as the server's test tap shows them. */
async function tappedKeyframes(
  room: string,
): Promise<{ e2ee: boolean; cameras: Array<{ participant: string; name: string; frames: Buffer[] }> }> {
  const res = await fetch(`${fx.server.url}/__test/tap/keyframes?room=${room}&count=2`);
  assert.equal(res.status, 200, await res.clone().text());
  const body = (await res.json()) as {
    e2ee: boolean;
    cameras: Array<{ participant: string; name: string; frames: string[] }>;
  };
  return {
    e2ee: body.e2ee,
    cameras: body.cameras.map((c) => ({
      participant: c.participant,
      name: c.name,
      frames: c.frames.map((f) => Buffer.from(f, 'base64')),
    })),
  };
}

/**
 * What the page shows of each remote participant, shrunk to a 16x12 brightness thumbnail
 * (THUMB_W x THUMB_H, the mean of R, G and B per pixel), by participant id.
 */
function shownThumbs(page: Page | Participant): Promise<Record<string, number[]>> {
  return run(page, () => {
    const out: Record<string, number[]> = {};
    for (const tile of document.querySelectorAll<HTMLElement>('[data-testid="remote-tile"]')) {
      const video = tile.querySelector('video');
      const id = tile.dataset.participantId;
      if (!video || !id || video.videoWidth === 0) continue;
      const canvas = document.createElement('canvas');
      canvas.width = 16;
      canvas.height = 12;
      const ctx = canvas.getContext('2d');
      if (!ctx) continue;
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(video, 0, 0, 16, 12);
      const d = ctx.getImageData(0, 0, 16, 12).data;
      const thumb: number[] = [];
      for (let i = 0; i < d.length; i += 4) thumb.push((d[i]! + d[i + 1]! + d[i + 2]!) / 3);
      out[id] = thumb;
    }
    return out;
  });
}

/** What the test learns from one tapped keyframe. */
interface TappedResult {
  participant: string;
  /** The frame as forwarded decodes without a decoder error. */
  decoded: boolean;
  /** Its picture's distance from what a page shows of that camera now. */
  distance: number;
  /** Its VP8 keyframe header is readable. */
  header: boolean;
  /** With the room key: the frame authenticates under that sender's key (null without a key). */
  opened: boolean | null;
  /** With the room key: the opened frame decodes, and how far its picture is from the forwarded one's. */
  openedDecoded: boolean | null;
  forwardedFromOpened: number | null;
}

/**
 * Each tapped keyframe decoded at the server, and how far its picture is from what a receiving
 * page shows of the same camera now (mean absolute brightness difference of 16x12 thumbnails).
 * Given the room key (epoch 0, the link's), each frame is also opened as a receiver would: it
 * must authenticate under its sender's key, and the opened frame gives the reference picture
 * that the forwarded bytes are compared with, the same frame at the same instant.
 */
async function tapAgainstPages(
  t: { diagnostic(msg: string): void },
  room: string,
  pages: Array<Page | Participant>,
  roomKey: Uint8Array<ArrayBuffer> | null = null,
): Promise<{ e2ee: boolean; results: TappedResult[] }> {
  const tapped = await tappedKeyframes(room);
  const shown: Record<string, number[]> = {};
  for (const page of pages) Object.assign(shown, await shownThumbs(page));
  const results: TappedResult[] = [];
  for (const camera of tapped.cameras) {
    t.diagnostic(`${camera.name}: ${camera.frames.length} keyframes tapped`);
  }
  for (const camera of tapped.cameras) {
    assert.ok(camera.frames.length > 0, `keyframes from ${camera.name}`);
    const seen = shown[camera.participant];
    assert.ok(seen, `a page shows ${camera.name}`);
    const tag = roomKey ? await senderTag(camera.participant) : null;
    for (const frame of camera.frames) {
      const decode = decodeVp8Keyframe(frame);
      const distance = thumbDistance(decode.thumb, seen);
      let opened: boolean | null = null;
      let openedDecoded: boolean | null = null;
      let forwardedFromOpened: number | null = null;
      if (roomKey && tag) {
        const plain = await decryptFrame(frame, (from, epoch) =>
          from === tag && epoch === 0 ? deriveSenderKey(roomKey, 0, tag) : null,
        ).catch((err: unknown) => {
          t.diagnostic(`${camera.name}: the frame does not open: ${String(err)}`);
          return null;
        });
        opened = plain !== null;
        if (plain) {
          const reference = decodeVp8Keyframe(Buffer.from(plain));
          openedDecoded = reference.decoded;
          forwardedFromOpened = decode.decoded ? thumbDistance(decode.thumb, reference.thumb) : null;
          t.diagnostic(
            `${camera.name}: opened with the room key, ${reference.decoded ? 'decodes' : reference.errors}, ` +
              `${thumbDistance(reference.thumb, seen).toFixed(1)} from the page's picture`,
          );
        }
      }
      t.diagnostic(
        `${camera.name}: ${frame.length} B keyframe ${decode.width}x${decode.height}, ` +
          `${decode.errors || 'no decoder error'}, ${distance.toFixed(1)} from the page's picture` +
          (forwardedFromOpened === null ? '' : `, ${forwardedFromOpened.toFixed(1)} from the opened frame's`) +
          ` (server ${decode.thumb.slice(0, 6).map((v) => v.toFixed(0))}, page ${seen.slice(0, 6).map((v) => v.toFixed(0))})`,
      );
      results.push({
        participant: camera.participant,
        decoded: decode.decoded,
        distance,
        header: vp8KeyframeSize(frame) !== null,
        opened,
        openedDecoded,
        forwardedFromOpened,
      });
    }
  }
  return { e2ee: tapped.e2ee, results };
}

test('an E2EE room through the forwarding unit (two Chromium, one Firefox): three decode each other, the server forwards undecodable keyframes, a wrong key decodes nothing, chat is ciphertext at the server', async (t) => {
  const room = `e2ee-${Date.now()}`;
  const join = (): ReturnType<typeof newParticipant> => newParticipant(fx.browser, fx.server.url);
  const firefox = new BrowserPool(fx.server.url, { viewport: { width: 1280, height: 720 } });
  const [ada, bo, eve, plain] = await Promise.all([join(), join(), join(), join()]);
  let cy: Participant | null = null;
  try {
    // Ada makes the room encrypted on the home screen; the key lands in the fragment.
    await ada.page.goto('/');
    await ada.page.getByLabel('Username').fill('Ada');
    await ada.page.getByLabel('Room').fill(room);
    await ada.page.getByLabel('End-to-end encryption').check();
    await ada.page.getByRole('button', { name: 'Join' }).click();
    await ada.page.getByTestId('e2ee-note').waitFor();
    await joinFromPreJoin(ada.page);
    await ada.page.getByTestId('e2ee-badge').waitFor({ timeout: 10_000 });
    const key = new URL(ada.page.url()).hash;
    assert.match(key, /^#key=[A-Za-z0-9_-]{43}$/);
    const link = `/r/${room}${key}`;
    await joinByLink(bo.page, link, 'Bo');
    cy = await firefox.participant('firefox');
    await joinByLinkIn(cy, link, 'Cy');

    await Promise.all([
      waitForRemoteVideos(ada.page, 2, 30_000),
      waitForRemoteVideos(bo.page, 2, 30_000),
      waitForDecodingFrom(cy, ['Ada', 'Bo'], 30_000),
    ]);
    for (const page of [ada.page, bo.page, cy]) {
      const decoded = await decodedPerParticipant(page);
      assert.equal(Object.keys(decoded).length, 2);
      for (const [id, n] of Object.entries(decoded)) assert.ok(n > 0, `frames from ${id} decoded: ${n}`);
      const light = await tileBrightness(page);
      assert.ok(
        light.length === 2 && light.every((b) => b > 8),
        `the pictures are not black: ${light.map((b) => b.toFixed(0)).join(', ')}`,
      );
      const wrongKey = await run(page, () => document.querySelectorAll('[data-testid="e2ee-wrong-key"]').length);
      assert.equal(wrongKey, 0);
    }

    // What the server forwards: VP8 keyframes whose headers it can read (it needs them to
    // switch layers) but that a real decoder cannot turn into a picture.
    // Each one opens only with its sender's key from the room key (AES-GCM authenticates it),
    // and opened it is a keyframe that decodes. As forwarded, its bytes either do not decode or
    // decode to another picture than the same frame opened: random bytes in a VP8 keyframe
    // decode about one time in four, into flat blocks 30 to 80 brightness levels from the
    // picture, while two decodes of one picture are 0 apart.
    const roomKey = roomKeyFromFragment(key);
    assert.ok(roomKey);
    const media = await tapAgainstPages(t, room, [ada.page, bo.page], roomKey);
    assert.equal(media.e2ee, true);
    assert.equal(new Set(media.results.map((r) => r.participant)).size, 3, 'a camera from each of the three');
    for (const r of media.results) {
      assert.ok(r.header, 'the VP8 keyframe header stays readable');
      assert.equal(r.opened, true, `${r.participant}'s keyframe opens with the room key`);
      assert.equal(r.openedDecoded, true, `${r.participant}'s keyframe, opened, decodes`);
      assert.ok(
        !r.decoded || r.forwardedFromOpened! > LIKE,
        `${r.participant}'s keyframe shows the picture at the server: ${r.forwardedFromOpened?.toFixed(1)}`,
      );
    }
    // The link copied in the call carries the key in its fragment.
    await ada.context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await chooseMore(ada.page, 'Copy link');
    const copied = await ada.page.evaluate(() => navigator.clipboard.readText());
    assert.ok(copied.endsWith(link), `copied ${copied}`);

    // Chat reaches the others, Firefox included; the server holds only sealed texts.
    await cy.clickButton('Chat');
    await openChat(ada.page);
    await sendChat(ada.page, 'the secret plan');
    await openChat(bo.page);
    assert.equal(await waitForChat(bo.page, 'the secret plan'), 1);
    await waitForTexts(cy, '[data-testid="chat-messages"]', ['the secret plan']);
    const tap = (await (await fetch(`${fx.server.url}/__test/tap?room=${room}`)).json()) as {
      e2ee: boolean;
      chat: string[];
    };
    assert.equal(tap.e2ee, true);
    assert.equal(tap.chat.length, 1);
    assert.match(tap.chat[0]!, /^e2ee1:[A-Za-z0-9_-]+$/);
    assert.ok(!tap.chat.some((text) => text.includes('secret')));

    // Cy leaves (Ada and Bo move to a new key), so that two cores carry the rest: four
    // encrypting pages at once are more than this machine runs smoothly.
    await cy.close();
    cy = null;
    await Promise.all([ada.page, bo.page].map((p) => waitForRemoteVideos(p, 1, 30_000)));

    // Someone without the key is refused with a sentence.
    await plain.page.goto(`/call/Pat/${room}`);
    await joinFromPreJoin(plain.page);
    await plain.page.getByText('This room is end-to-end encrypted').waitFor({ timeout: 20_000 });
    await plain.context.close();

    // Someone with another key gets in, but decodes nothing and is told why.
    const wrong = `#key=${Buffer.alloc(32, 7).toString('base64url')}`;
    const started = Date.now();
    await joinByLink(eve.page, `/r/${room}${wrong}`, 'Eve');
    await eve.page.getByTestId('e2ee-wrong-key').waitFor({ timeout: 30_000 });
    t.diagnostic(`wrong-key notice ${Date.now() - started} ms after the join`);
    assert.match((await eve.page.getByTestId('e2ee-wrong-key').textContent()) ?? '', /Wrong key/);
    const eveDecoded = await decodedPerParticipant(eve.page);
    assert.equal(Object.keys(eveDecoded).length, 2);
    assert.deepEqual(Object.values(eveDecoded), [0, 0], 'nothing decoded with the wrong key');
    // Eve's chat history shows, but unreadable.
    await openChat(eve.page);
    await eve.page.getByText('could not be decrypted').first().waitFor({ timeout: 5_000 });
    assert.equal(await eve.page.getByText('the secret plan').count(), 0);
    // The others keep decoding each other, and name Eve as the one whose media does not decrypt.
    await bo.page.getByTestId('e2ee-wrong-key').filter({ hasText: 'Eve' }).waitFor({ timeout: 15_000 });
  } finally {
    await Promise.all([ada, bo, eve, plain].map((p) => p.context.close()));
    await cy?.close();
    await firefox.close();
  }
});

test('the control for the tap: a room without E2EE forwards keyframes that decode into pictures', async (t) => {
  const room = `clear-${Date.now()}`;
  const people = await Promise.all([0, 1].map(() => newParticipant(fx.browser, fx.server.url)));
  try {
    const [ada, bo] = people.map((p) => p.page) as [Page, Page];
    await joinByLink(ada, `/r/${room}`, 'Ada');
    await joinByLink(bo, `/r/${room}`, 'Bo');
    await Promise.all([waitForRemoteVideos(ada, 1, 30_000), waitForRemoteVideos(bo, 1, 30_000)]);
    const tap = await tapAgainstPages(t, room, [ada, bo]);
    assert.equal(tap.e2ee, false);
    assert.equal(new Set(tap.results.map((r) => r.participant)).size, 2);
    for (const r of tap.results) {
      assert.ok(r.decoded, `${r.participant}'s keyframe decodes`);
      assert.ok(r.distance < LIKE, `${r.participant}'s keyframe shows what the pages show: ${r.distance.toFixed(1)}`);
    }
  } finally {
    await Promise.all(people.map((p) => p.context.close()));
  }
});

/** The digits of the verification code this page shows for the named person (People panel). */
async function shownCode(page: Page, name: string): Promise<string> {
  const people = page.getByRole('button', { name: 'People', exact: true });
  if ((await people.getAttribute('aria-pressed')) !== 'true') await people.click();
  const verify = page.getByRole('button', { name: `Verify ${name}` });
  await verify.click();
  const digits = page.getByTestId('verify-digits');
  await digits.waitFor({ timeout: 20_000 });
  const text = ((await digits.textContent()) ?? '').trim();
  await page.getByRole('button', { name: 'Hide code' }).click();
  return text;
}

test('verification codes: equal on both sides of a direct connection; a server that swaps a fingerprint makes them differ', async () => {
  const key = `#key=${Buffer.alloc(32, 3).toString('base64url')}`;
  const honest = await startServer({ env: { ROOM_TOPOLOGY: 'mesh', LOG_LEVEL: 'warn' } });
  const tampering = await startServer({
    env: { ROOM_TOPOLOGY: 'mesh', LOG_LEVEL: 'warn', PARLEY_TEST_SWAP_FINGERPRINT: '1' },
  });
  const pages = await Promise.all([
    newParticipant(fx.browser, honest.url),
    newParticipant(fx.browser, honest.url),
    newParticipant(fx.browser, tampering.url),
    newParticipant(fx.browser, tampering.url),
  ]);
  const [ada, bo, cy, dan] = pages;
  try {
    await joinByLink(ada!.page, `/r/verify${key}`, 'Ada');
    await joinByLink(bo!.page, `/r/verify${key}`, 'Bo');
    await Promise.all([waitForRemoteVideos(ada!.page, 1, 30_000), waitForRemoteVideos(bo!.page, 1, 30_000)]);
    // The badge takes you to verification: the People panel with a Verify button per person.
    await ada!.page.getByTestId('e2ee-badge').click();
    await ada!.page.getByRole('button', { name: 'Verify Bo' }).waitFor({ timeout: 10_000 });
    const [adaSees, boSees] = [await shownCode(ada!.page, 'Bo'), await shownCode(bo!.page, 'Ada')];
    assert.match(adaSees, /^\d{4} \d{4} \d{4}$/);
    assert.equal(adaSees, boSees, 'the same code on both sides');

    // Through a server that rewrites the fingerprints it relays, the codes differ (and the
    // browsers refuse the certificate they were not told about: no media flows).
    await joinByLink(cy!.page, `/r/verify${key}`, 'Cy');
    await joinByLink(dan!.page, `/r/verify${key}`, 'Dan');
    const [cySees, danSees] = [await shownCode(cy!.page, 'Dan'), await shownCode(dan!.page, 'Cy')];
    assert.match(cySees, /^\d{4} \d{4} \d{4}$/);
    assert.notEqual(cySees, danSees, 'a server in the middle shows as different codes');
  } finally {
    await Promise.all(pages.map((p) => p.context.close()));
    await Promise.all([honest.kill('SIGTERM'), tampering.kill('SIGTERM')]);
  }
});

test('an E2EE mesh room across browsers: Chromium and Firefox decode each other and show the same verification code', async (t) => {
  const mesh = await startServer({ env: { ROOM_TOPOLOGY: 'mesh', LOG_LEVEL: 'warn' } });
  const firefox = new BrowserPool(mesh.url, { viewport: { width: 1280, height: 720 } });
  const ada = await newParticipant(fx.browser, mesh.url);
  let fay: Participant | null = null;
  try {
    const link = `/r/e2ee-mesh-${Date.now()}#key=${Buffer.alloc(32, 5).toString('base64url')}`;
    await joinByLink(ada.page, link, 'Ada');
    fay = await firefox.participant('firefox');
    await joinByLinkIn(fay, link, 'Fay');
    await Promise.all([waitForRemoteVideos(ada.page, 1, 30_000), waitForDecodingFrom(fay, ['Ada'], 30_000)]);
    for (const page of [ada.page, fay]) {
      const decoded = await decodedPerParticipant(page);
      assert.equal(Object.keys(decoded).length, 1);
      for (const [id, n] of Object.entries(decoded)) assert.ok(n > 0, `frames from ${id} decoded: ${n}`);
      const light = await tileBrightness(page);
      assert.ok(light.length === 1 && light[0]! > 8, `the picture is not black: ${light.join()}`);
      assert.equal(await run(page, () => document.querySelectorAll('[data-testid="e2ee-wrong-key"]').length), 0);
    }
    // The codes come from each browser's own DTLS fingerprints: Firefox's and Chromium's agree.
    const adaSees = await shownCode(ada.page, 'Fay');
    await fay.clickButton('People');
    await fay.clickButton('Verify Ada');
    await fay.waitForSelector('[data-testid="verify-digits"]', { timeoutMs: 20_000 });
    const faySees = await fay.evaluate(
      () => document.querySelector('[data-testid="verify-digits"]')?.textContent?.trim() ?? '',
    );
    t.diagnostic(`Ada sees ${adaSees}, Fay sees ${faySees}`);
    assert.match(adaSees, /^\d{4} \d{4} \d{4}$/);
    assert.equal(faySees, adaSees, 'the same code in Firefox and in Chromium');
  } finally {
    await fay?.close();
    await ada.context.close();
    await firefox.close();
    await mesh.kill('SIGTERM');
  }
});

/** The key epoch this page encrypts with, as its E2EE badge shows it (tooltip and data attribute). */
async function keyEpoch(page: Page): Promise<{ epoch: number; title: string }> {
  const badge = page.getByTestId('e2ee-badge');
  return {
    epoch: Number(await badge.getAttribute('data-key-epoch')),
    title: (await badge.getAttribute('title')) ?? '',
  };
}

/**
 * Three join an E2EE room by link; the third leaves; the two who stay move to key 1 (the badge
 * says so) and keep decoding each other afterwards. Returns the two pages that stay.
 */
async function leaveAndRotate(
  t: { diagnostic(msg: string): void },
  url: string,
  room: string,
): Promise<{ pages: Page[]; gone: Page; link: string; close: () => Promise<void> }> {
  const key = `#key=${Buffer.alloc(32, 9).toString('base64url')}`;
  const people = await Promise.all([0, 1, 2].map(() => newParticipant(fx.browser, url)));
  const close = async (): Promise<void> => void (await Promise.all(people.map((p) => p.context.close())));
  try {
    const [ada, bo, cy] = people.map((p) => p.page) as [Page, Page, Page];
    await joinByLink(ada, `/r/${room}${key}`, 'Ada');
    await joinByLink(bo, `/r/${room}${key}`, 'Bo');
    await joinByLink(cy, `/r/${room}${key}`, 'Cy');
    await Promise.all([ada, bo, cy].map((p) => waitForRemoteVideos(p, 2, 30_000)));
    for (const p of [ada, bo, cy]) assert.equal((await keyEpoch(p)).epoch, 0, 'everyone starts on the link key');

    const left = Date.now();
    await cy.getByRole('button', { name: 'Leave' }).click();
    const stay = [ada, bo];
    await Promise.all(
      stay.map((p) => p.locator('[data-testid="e2ee-badge"][data-key-epoch="1"]').waitFor({ timeout: 30_000 })),
    );
    t.diagnostic(`both on key 1 ${Date.now() - left} ms after the Leave click`);
    for (const p of stay) {
      // From the page's own marks: when it saw the leave, and when it switched to key 1.
      const [seen, switched] = await p.evaluate(() =>
        ['parley:e2ee-peer-left', 'parley:key-epoch-1'].map(
          (name) => performance.timeOrigin + (performance.getEntriesByName(name).at(-1)?.startTime ?? NaN),
        ),
      );
      t.diagnostic(
        `saw the leave ${Math.round(seen! - left)} ms after the click, switched ${Math.round(switched! - seen!)} ms later`,
      );
    }
    for (const p of stay) assert.match((await keyEpoch(p)).title, /Key 1: a new key since someone left/);

    // Both encrypt with the new key now: frames keep decoding on each side.
    const sum = (d: Record<string, number>): number => Object.values(d).reduce((a, b) => a + b, 0);
    const before = await Promise.all(stay.map(decodedPerParticipant));
    await new Promise((r) => setTimeout(r, 2_000));
    const after = await Promise.all(stay.map(decodedPerParticipant));
    for (const [i, p] of stay.entries()) {
      const gained = sum(after[i]!) - sum(before[i]!);
      t.diagnostic(`page ${i}: ${gained} frames decoded in 2 s on key 1`);
      assert.ok(gained > 10, `frames decoded after the switch: ${gained}`);
      assert.equal(await p.getByTestId('e2ee-wrong-key').count(), 0);
    }
    return { pages: stay, gone: cy, link: `/r/${room}${key}`, close };
  } catch (err) {
    await close();
    throw err;
  }
}

test('key rotation through the forwarding unit: when one of three leaves, the two who stay move to key 1 and keep decoding; chat is sealed with it', async (t) => {
  const room = `rot-sfu-${Date.now()}`;
  const { pages, close } = await leaveAndRotate(t, fx.server.url, room);
  try {
    const [ada, bo] = pages as [Page, Page];
    await openChat(ada);
    await sendChat(ada, 'after the rotation');
    await openChat(bo);
    assert.equal(await waitForChat(bo, 'after the rotation'), 1);
    const tap = (await (await fetch(`${fx.server.url}/__test/tap?room=${room}`)).json()) as { chat: string[] };
    const sealed = Buffer.from(tap.chat.at(-1)!.slice('e2ee1:'.length), 'base64url');
    assert.equal(sealed[0], 1, 'the chat text is sealed with the key of epoch 1');
  } finally {
    await close();
  }
});

test('key rotation in a mesh room: when one of three leaves, the two who stay move to key 1 and keep decoding; a newcomer two keys later is seen from its first frame', async (t) => {
  const mesh = await startServer({ env: { ROOM_TOPOLOGY: 'mesh', LOG_LEVEL: 'warn' } });
  try {
    const { pages, gone: cy, link, close } = await leaveAndRotate(t, mesh.url, `rot-mesh-${Date.now()}`);
    try {
      const [ada, bo] = pages as [Page, Page];
      // Cy comes back and leaves again (key 2: the link's key is no longer read), then comes
      // back a third time: a newcomer that sends under the link's key until key 2 reaches it.
      await joinByLink(cy, link, 'Cy');
      await waitForRemoteVideos(cy, 2, 30_000);
      await cy.getByRole('button', { name: 'Leave' }).click();
      await Promise.all(
        pages.map((p) => p.locator('[data-testid="e2ee-badge"][data-key-epoch="2"]').waitFor({ timeout: 30_000 })),
      );
      await joinByLink(cy, link, 'Cy');
      await cy.locator('[data-testid="e2ee-badge"][data-key-epoch="2"]').waitFor({ timeout: 30_000 });
      const cyId = await cy.evaluate(
        () =>
          (window as unknown as { __parleyCall?: { snapshot: { self: { id: string } | null } } }).__parleyCall?.snapshot
            .self?.id ?? '',
      );
      assert.ok(cyId, "Cy's participant id");
      await Promise.all([ada, bo].map((p) => waitForRemoteVideos(p, 2, 30_000)));
      for (const p of [ada, bo]) {
        const decoded = await decodedPerParticipant(p);
        assert.ok((decoded[cyId] ?? 0) > 0, `Cy decoded: ${JSON.stringify(decoded)}`);
        // Every frame of Cy's reached the decoder: under the link's key at first, then key 2.
        const dropped = await p.evaluate(
          (id) => performance.getEntriesByName(`parley:e2ee-undecryptable:${id}`).length,
          cyId,
        );
        assert.equal(dropped, 0, "none of the newcomer's frames was dropped as undecryptable");
      }
    } finally {
      await close();
    }
  } finally {
    await mesh.kill('SIGTERM');
  }
});
