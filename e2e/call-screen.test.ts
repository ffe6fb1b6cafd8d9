import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { newParticipant } from './support/browser';
import { joinFromPreJoin, joinThroughUi, preJoinReady, waitForRemoteVideos } from './support/call';
import { ROOT } from './support/server';
import { chooseMore } from './support/features';
import { useServerAndChromium } from './support/fixture';
import { captureLayout, compareLayouts, type Layout } from './support/layout';

// The README's screenshots are refreshed with UPDATE_SCREENSHOTS=1; otherwise they go to a scratch folder.
const SHOTS =
  process.env.UPDATE_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'screenshots') : join(ROOT, '.e2e-tmp', 'screenshots');
const viewport = { width: 1200, height: 760 };

const audioDir = mkdtempSync(join(tmpdir(), 'parley-voice-'));

/**
 * A WAV file that sounds a little like talking: syllable-long bursts of a harmonic tone at
 * changing pitch, then a pause. Chromium's default fake microphone only beeps for a few ms.
 */
function voiceWav(path: string): void {
  const rate = 16_000;
  const seconds = 8;
  const samples = new Int16Array(rate * seconds);
  for (let i = 0; i < samples.length; i++) {
    const t = i / rate;
    const inPhrase = t % 4 < 3; // 3 s of talk, 1 s of quiet
    const syllable = Math.floor(t / 0.25);
    const inSyllable = t % 0.25 < 0.18;
    if (!inPhrase || !inSyllable) continue;
    const f = [180, 220, 260, 200][syllable % 4]!;
    const env = Math.sin((Math.PI * (t % 0.25)) / 0.18);
    const v =
      0.5 * Math.sin(2 * Math.PI * f * t) + 0.25 * Math.sin(4 * Math.PI * f * t) + 0.12 * Math.sin(6 * Math.PI * f * t);
    samples[i] = Math.round(0.6 * env * v * 32767);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + samples.byteLength, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(samples.byteLength, 40);
  writeFileSync(path, Buffer.concat([header, Buffer.from(samples.buffer)]));
}

const wav = join(audioDir, 'voice.wav');

before(() => {
  voiceWav(wav);
  mkdirSync(SHOTS, { recursive: true });
});

const fx = useServerAndChromium({ chromiumArgs: [`--use-file-for-fake-audio-capture=${wav}`] });

after(() => {
  rmSync(audioDir, { recursive: true, force: true });
});

test('three people: speaking indicator, speaker layout, connection quality and details; screenshots', async () => {
  const people = await Promise.all(
    ['Alice', 'Bob', 'Carol'].map(() => newParticipant(fx.browser, fx.server.url, { viewport })),
  );
  const [alice, bob, carol] = people as [(typeof people)[0], (typeof people)[0], (typeof people)[0]];
  try {
    const room = 'team-standup';
    // Home and pre-join, as Alice sees them.
    await alice.page.goto('/');
    await alice.page.getByLabel('Username').fill('Alice');
    await alice.page.getByLabel('Room').fill(room);
    await alice.page.screenshot({ path: join(SHOTS, 'home.png') });
    await alice.page.getByRole('button', { name: 'Join' }).click();
    await alice.page.waitForFunction(() => {
      const v = document.querySelector<HTMLVideoElement>('video[aria-label="Your camera preview"]');
      return v !== null && v.videoWidth > 0 && Number(document.querySelector('meter')?.value ?? 0) > 0.2;
    });
    await alice.page.screenshot({ path: join(SHOTS, 'prejoin.png') });
    await joinFromPreJoin(alice.page);
    await joinThroughUi(bob.page, 'Bob', room);
    await joinThroughUi(carol.page, 'Carol', room);
    await Promise.all(people.map((p) => waitForRemoteVideos(p.page, 2, 30_000)));

    // Someone is talking (the fake microphones play the voice file): a tile is marked as speaking.
    await alice.page.locator('[data-testid="remote-tile"][data-speaking="true"]').first().waitFor({ timeout: 10_000 });
    assert.match(
      await alice.page.locator('[data-testid="remote-tile"][data-speaking="true"]').first().innerText(),
      /speaking/,
      'the speaking state is also in the tile text for screen readers',
    );

    // Each remote tile grades its connection once figures arrive.
    await alice.page.waitForFunction(
      () =>
        [...document.querySelectorAll('[data-testid="remote-tile"] [data-testid="quality-indicator"]')].filter(
          (q) => (q as HTMLElement).dataset.quality !== 'unknown',
        ).length === 2,
      null,
      { timeout: 20_000 },
    );
    const grades = await alice.page
      .locator('[data-testid="remote-tile"] [data-testid="quality-indicator"]')
      .evaluateAll((qs) => qs.map((q) => q.getAttribute('aria-label')));
    for (const g of grades) assert.match(g ?? '', /^Connection (good|fair|poor)$/);

    // The details panel: candidate types and a non-zero bitrate for each person.
    await chooseMore(alice.page, 'Connection');
    const panel = alice.page.getByTestId('quality-panel');
    await panel.waitFor();
    let text = '';
    const ok = (t: string): boolean => {
      const routes = t.match(/^Route\t(host|srflx|prflx|relay) → (host|srflx|prflx|relay)/gm) ?? [];
      const rates = [...t.matchAll(/^(Receiving|Sending)\t([\d.]+) kbit\/s/gm)].map((m) => Number(m[2]));
      return routes.length === 2 && rates.length === 4 && rates.every((r) => r > 0);
    };
    for (let i = 0; i < 50 && !ok(text); i++) {
      if (i > 0) await alice.page.waitForTimeout(200);
      text = await panel.innerText();
    }
    assert.ok(ok(text), `candidate types and non-zero bitrates for both people:\n${text}`);
    assert.match(text, /Bob/);
    assert.match(text, /Carol/);
    assert.match(text, /host → host/, 'a loopback call runs over host candidates');
    assert.match(text, /VP8|VP9|H264|AV1/);
    assert.match(text, /\d+x\d+/);
    await chooseMore(alice.page, 'Connection');

    // Speaker layout: one large tile above a strip of the others.
    await chooseMore(alice.page, 'Speaker view');
    const featured = alice.page.locator('.tile-featured');
    await featured.waitFor();
    const boxes = await alice.page
      .locator('.tile')
      .evaluateAll((ts) =>
        ts.map((t) => ({ featured: t.classList.contains('tile-featured'), w: t.getBoundingClientRect().width })),
      );
    const big = boxes.find((b) => b.featured)!;
    assert.ok(
      boxes.filter((b) => !b.featured).every((b) => b.w < big.w / 2),
      `one large tile: ${JSON.stringify(boxes)}`,
    );
    // Everything fits in the stage: no tile reaches under the call controls.
    const controlsTop = await alice.page.locator('nav.controls').evaluate((n) => n.getBoundingClientRect().top);
    const lowest = await alice.page
      .locator('.tile')
      .evaluateAll((ts) => Math.max(...ts.map((t) => t.getBoundingClientRect().bottom)));
    assert.ok(lowest <= controlsTop, `tiles end at ${lowest}, the controls begin at ${controlsTop}`);
    await alice.page.screenshot({ path: join(SHOTS, 'speaker.png') });
    await chooseMore(alice.page, 'Grid view');

    // The call as Alice sees it.
    await alice.page.waitForTimeout(500);
    await alice.page.screenshot({ path: join(SHOTS, 'call.png') });

    // The meeting features as Alice sees them: Bob's hand up, Carol's reaction, the People panel.
    await bob.page.getByRole('button', { name: 'Raise hand' }).click();
    await alice.page.getByRole('img', { name: 'Hand raised, 1st in line' }).first().waitFor();
    await alice.page.getByRole('navigation', { name: 'Call controls' }).getByRole('button', { name: 'People' }).click();
    await alice.page.getByRole('complementary', { name: 'People panel' }).waitFor();
    await carol.page.getByRole('button', { name: 'Reactions' }).click();
    await carol.page.getByRole('button', { name: 'React with celebration' }).click();
    await alice.page.locator('[data-testid="reaction-float"]').first().waitFor({ timeout: 5_000 });
    await alice.page.waitForTimeout(300);
    await alice.page.screenshot({ path: join(SHOTS, 'people.png') });
  } finally {
    await Promise.all(people.map((p) => p.context.close()));
  }
});

/** The sizes the screenshots and layouts are taken at: a laptop, a small window, a phone. */
const SIZES = [
  { width: 1280, height: 800 },
  { width: 960, height: 640 },
  { width: 375, height: 667 },
] as const;
const LAYOUTS = join(ROOT, 'docs', 'screenshots', 'layout.json');

test('home, pre-join, the call, chat and files at three sizes: screenshots, and the layout of the committed ones', async (t) => {
  const people = await Promise.all(['Alice', 'Bob', 'Carol'].map(() => newParticipant(fx.browser, fx.server.url)));
  const alice = people[0]!.page;
  const taken: Record<string, Layout> = {};
  const shoot = async (view: string, size: (typeof SIZES)[number]): Promise<void> => {
    await alice.setViewportSize(size);
    await alice.waitForTimeout(300);
    const name = `${view}-${size.width}x${size.height}`;
    // JPEG keeps the fifteen pictures small in the repository.
    await alice.screenshot({ path: join(SHOTS, `${name}.jpg`), type: 'jpeg', quality: 70 });
    taken[name] = await captureLayout(alice);
  };
  try {
    const room = 'design-review';
    await alice.goto('/');
    await alice.getByLabel('Username').fill('Alice');
    await alice.getByLabel('Room').fill(room);
    for (const size of SIZES) await shoot('home', size);
    await alice.getByRole('button', { name: 'Join' }).click();
    await preJoinReady(alice);
    for (const size of SIZES) await shoot('prejoin', size);
    await joinFromPreJoin(alice);
    await joinThroughUi(people[1]!.page, 'Bob', room);
    await joinThroughUi(people[2]!.page, 'Carol', room);
    await Promise.all(people.map((p) => waitForRemoteVideos(p.page, 2, 30_000)));
    for (const size of SIZES) {
      await shoot('call', size);
      for (const panel of ['Chat', 'Files'] as const) {
        const button = alice
          .getByRole('navigation', { name: 'Call controls' })
          .getByRole('button', { name: new RegExp(`^${panel}`) });
        if (await button.isVisible()) await button.click();
        else await chooseMore(alice, panel);
        await alice.locator('#side-panel').waitFor();
        await shoot(panel.toLowerCase(), size);
        await alice.getByRole('button', { name: 'Close panel' }).click();
        await alice.locator('#side-panel').waitFor({ state: 'detached' });
      }
    }
  } finally {
    await Promise.all(people.map((p) => p.context.close()));
  }
  if (process.env.UPDATE_SCREENSHOTS === '1') {
    writeFileSync(LAYOUTS, JSON.stringify(taken, null, 1) + '\n');
    t.diagnostic(`wrote ${Object.keys(taken).length} layouts to ${LAYOUTS}`);
    return;
  }
  const committed = JSON.parse(readFileSync(LAYOUTS, 'utf8')) as Record<string, Layout>;
  const changes = Object.keys(committed).flatMap((name) =>
    compareLayouts(committed[name]!, taken[name] ?? {}).map((d) => `${name}: ${d}`),
  );
  assert.deepEqual(
    changes,
    [],
    'the layout differs from docs/screenshots (UPDATE_SCREENSHOTS=1 npm run test:e2e -- call-screen refreshes them when the change is meant)',
  );
  assert.deepEqual(Object.keys(taken).sort(), Object.keys(committed).sort(), 'the same views and sizes');
});

test('layout comparison: a moved, grown, missing or new element is a change; a few pixels are not', () => {
  const before: Layout = {
    'button:Mute': { x: 10, y: 600, w: 44, h: 44 },
    'panel:Chat': { x: 900, y: 0, w: 300, h: 600 },
  };
  assert.deepEqual(compareLayouts(before, { ...before, 'button:Mute': { x: 14, y: 604, w: 44, h: 44 } }), []);
  assert.equal(compareLayouts(before, { ...before, 'button:Mute': { x: 10, y: 560, w: 44, h: 44 } }).length, 1);
  assert.equal(compareLayouts(before, { ...before, 'panel:Chat': { x: 900, y: 0, w: 400, h: 600 } }).length, 1);
  assert.match(compareLayouts(before, { 'panel:Chat': before['panel:Chat']! })[0]!, /button:Mute: gone/);
  assert.match(compareLayouts(before, { ...before, 'button:Leave': before['button:Mute']! })[0]!, /button:Leave: new/);
});
