import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { seriousViolations } from './support/axe';
import { newParticipant } from './support/browser';
import { joinThroughUi, waitForRemoteVideos } from './support/call';
import { useServerAndChromium } from './support/fixture';
import { BrowserPool } from './support/participant';
import { joinCall, waitUntil } from './support/participantCall';
import { FULL_SUITE } from './support/tier';

const fx = useServerAndChromium();
let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-recording-'));
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** As in Firefox and Safari: no save picker, so the recording streams into the downloads. */
async function withoutSavePicker(page: Page): Promise<void> {
  await page.addInitScript(() => Object.defineProperty(window, 'showSaveFilePicker', { value: undefined }));
}

const badge = (page: Page): Promise<string> => page.getByTestId('recording-badge').innerText();

async function waitBadge(page: Page, re: RegExp, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = await badge(page);
    if (re.test(last)) return;
    await page.waitForTimeout(100);
  }
  throw new Error(`badge: expected ${String(re)}, saw ${JSON.stringify(last)}`);
}

interface Probe {
  streams: Array<{ codec_type: string; codec_name: string }>;
  duration: number | null;
  /** Seconds decoded when the container names no duration (MediaRecorder's WebM often does not). */
  decoded: number | null;
  /** Loudest sample of the audio stream, in dB (-91 is digital silence). */
  maxVolume: number | null;
}

/** ffprobe (Debian's ffmpeg) on a file: its streams and duration, decoding it when the header has none. */
function probe(path: string): Probe {
  const out = execFileSync(
    'ffprobe',
    ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name:format=duration', '-of', 'json', path],
    { encoding: 'utf8' },
  );
  const json = JSON.parse(out) as { streams: Probe['streams']; format?: { duration?: string } };
  const d = Number(json.format?.duration);
  let decoded: number | null = null;
  if (!Number.isFinite(d)) {
    const run = spawnSync('ffmpeg', ['-hide_banner', '-nostats', '-stats', '-i', path, '-f', 'null', '-'], {
      encoding: 'utf8',
    });
    const times = [...run.stderr.matchAll(/time=(\d+):(\d+):(\d+(?:\.\d+)?)/g)];
    const t = times[times.length - 1];
    if (t) decoded = Number(t[1]) * 3600 + Number(t[2]) * 60 + Number(t[3]);
  }
  const vol = spawnSync(
    'ffmpeg',
    ['-hide_banner', '-i', path, '-map', '0:a', '-af', 'volumedetect', '-f', 'null', '-'],
    {
      encoding: 'utf8',
    },
  );
  const max = /max_volume: (-?[\d.]+) dB/.exec(vol.stderr);
  return {
    streams: json.streams,
    duration: Number.isFinite(d) ? d : null,
    decoded,
    maxVolume: max ? Number(max[1]) : null,
  };
}

/** How long the call is recorded: 8 s in npm test, 20 s in the full suite. */
const RECORD_MS = FULL_SUITE ? 20_000 : 8_000;

test(`recording: a three-person call recorded for ${RECORD_MS / 1000} s through the UI gives a WebM with one video and one audio stream of that length; everyone (also a late joiner) sees the badge until it stops`, async () => {
  const people = await Promise.all(['Ada', 'Bob', 'Cy'].map(() => newParticipant(fx.browser, fx.server.url)));
  const [ada, bob, cy] = people.map((p) => p.page) as [Page, Page, Page];
  const room = 'e2e-recording';
  let dan: Awaited<ReturnType<typeof newParticipant>> | null = null;
  try {
    await withoutSavePicker(ada);
    await joinThroughUi(ada, 'Ada', room);
    await joinThroughUi(bob, 'Bob', room);
    await joinThroughUi(cy, 'Cy', room);
    await Promise.all([ada, bob, cy].map((p) => waitForRemoteVideos(p, 2)));
    for (const p of [ada, bob, cy]) assert.equal(await badge(p), '', 'nobody records yet');

    // On a phone the Record / Stop control stays reachable.
    await cy.setViewportSize({ width: 375, height: 667 });
    await cy.getByRole('button', { name: 'More options' }).click();
    const cyRecord = cy.getByRole('menuitem', { name: 'Record', exact: true });
    assert.ok(await cyRecord.isVisible(), 'Record reachable at 375x667 (in the More menu)');
    await cy.keyboard.press('Escape');
    await cy.setViewportSize({ width: 960, height: 720 });

    // The confirmation says everyone will be told; nothing is announced before it is confirmed.
    await ada.getByRole('button', { name: 'Record', exact: true }).click();
    const dialog = ada.getByRole('dialog', { name: 'Record this call?' });
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /Everyone in the call will be told that you are recording/);
    assert.deepEqual(await seriousViolations(ada), [], 'axe with the confirmation open');
    await bob.waitForTimeout(300);
    assert.equal(await badge(bob), '');

    const [download] = await Promise.all([
      ada.waitForEvent('download', { timeout: 30_000 }),
      dialog.getByRole('button', { name: 'Start recording' }).click(),
    ]);
    await ada.getByRole('button', { name: 'Stop recording' }).waitFor({ timeout: 15_000 });
    const startedAt = Date.now();
    assert.match(download.suggestedFilename(), /^parley-e2e-recording-\d{4}-\d\d-\d\d-\d{4}\.webm$/);

    await waitBadge(ada, /Recording · You/);
    await Promise.all([bob, cy].map((p) => waitBadge(p, /Recording · Ada/)));
    // Announced to screen readers: the badge is a live region with a sentence.
    assert.equal(await bob.getByTestId('recording-badge').getAttribute('role'), 'status');
    assert.match((await bob.getByTestId('recording-badge').textContent()) ?? '', /Ada is recording this call/);
    assert.deepEqual(await seriousViolations(bob), [], 'axe with the badge shown');

    // Someone who joins later sees it at once. Cy leaves first: four pages are heavy here.
    await people[2]!.context.close();
    dan = await newParticipant(fx.browser, fx.server.url);
    await joinThroughUi(dan.page, 'Dan', room);
    await waitBadge(dan.page, /Recording · Ada/);

    await ada.waitForTimeout(Math.max(0, RECORD_MS - (Date.now() - startedAt)));
    await ada.getByRole('button', { name: 'Stop recording' }).click();
    const recordedMs = Date.now() - startedAt;
    await ada
      .getByText(/Recording saved to your downloads as parley-e2e-recording-.*\.webm/)
      .waitFor({ timeout: 20_000 });
    await Promise.all([ada, bob, dan.page].map((p) => waitBadge(p, /^$/)));

    const path = join(dir, 'call.webm');
    await download.saveAs(path);
    const size = statSync(path).size;
    const p = probe(path);
    const kinds = p.streams.map((s) => s.codec_type).sort();
    assert.deepEqual(kinds, ['audio', 'video'], `streams: ${JSON.stringify(p.streams)}`);
    assert.match(p.streams.find((s) => s.codec_type === 'video')!.codec_name, /^vp[89]$/);
    assert.equal(p.streams.find((s) => s.codec_type === 'audio')!.codec_name, 'opus');
    const seconds = p.duration ?? p.decoded;
    assert.ok(seconds !== null, 'a duration from the header or from decoding');
    // About as long as it ran: RECORD_MS, or longer when the late joiner took longer on a busy machine.
    // Within 3 s or a tenth, whichever is more: on a busy machine the last clicks lag.
    assert.ok(
      Math.abs(seconds - recordedMs / 1000) <= Math.max(3, recordedMs / 10_000),
      `about ${(recordedMs / 1000).toFixed(1)} s recorded, got ${seconds} s`,
    );
    // The voices are in it: the fake microphones beep.
    assert.ok(p.maxVolume !== null && p.maxVolume > -50, `audible audio, max volume ${p.maxVolume} dB`);
    console.log(
      `recording: ${(size / 1_048_576).toFixed(2)} MiB for ${(recordedMs / 1000).toFixed(1)} s ` +
        `(${((size * 8) / (recordedMs / 1000) / 1e6).toFixed(2)} Mbit/s); ffprobe duration ` +
        `${p.duration === null ? `none in the header, ${p.decoded} s decoded` : `${p.duration} s`}, ` +
        `audio max ${p.maxVolume} dB`,
    );
  } finally {
    await dan?.context.close();
    await Promise.all(people.map((p) => p.context.close()));
  }
});

test('recording: host only: a guest’s Start is not offered and the server refuses it; the host records', async () => {
  const [host, guest] = await Promise.all([
    newParticipant(fx.browser, fx.server.url),
    newParticipant(fx.browser, fx.server.url),
  ]);
  try {
    await withoutSavePicker(host.page);
    await joinThroughUi(host.page, 'Hana', 'e2e-recording-host');
    await joinThroughUi(guest.page, 'Gus', 'e2e-recording-host');
    await Promise.all([waitForRemoteVideos(host.page, 1), waitForRemoteVideos(guest.page, 1)]);
    await host.page.getByRole('button', { name: 'Record', exact: true }).click();
    const hostDialog = host.page.getByRole('dialog', { name: 'Record this call?' });
    // Checked once the server applied it (the box shows the room's setting, not a wish).
    const hostOnly = hostDialog.getByLabel('Only the host may record in this room');
    await hostOnly.click();
    await host.page.waitForFunction(
      () => document.querySelector<HTMLInputElement>('.recording-policy input')?.checked === true,
    );
    await hostDialog.getByRole('button', { name: 'Cancel' }).click();

    await guest.page.getByRole('button', { name: 'Record', exact: true }).click();
    const guestDialog = guest.page.getByRole('dialog', { name: 'Record this call?' });
    await guestDialog.getByText('Only the host may record this call.').waitFor();
    assert.equal(await guestDialog.getByRole('button', { name: 'Start recording' }).isDisabled(), true);
    await guestDialog.getByRole('button', { name: 'Cancel' }).click();
    // The server decides, not the button: a guest's start is refused.
    const refused = await guest.page.evaluate(async () => {
      const call = (window as unknown as { __parleyCall?: { recordingAction(e: string, p: object): Promise<void> } })
        .__parleyCall;
      try {
        await call?.recordingAction('recording-start', {});
        return 'accepted';
      } catch (err) {
        return (err as { id?: string }).id ?? String(err);
      }
    });
    assert.equal(refused, 'recording-host-only');
    assert.equal(await badge(host.page), '');
  } finally {
    await Promise.all([host.context.close(), guest.context.close()]);
  }
});

test('recording: a Firefox participant sees the badge while a Chromium participant records, and not after', async () => {
  const pool = new BrowserPool(fx.server.url);
  const ada = await newParticipant(fx.browser, fx.server.url);
  try {
    await withoutSavePicker(ada.page);
    const fox = await pool.participant('firefox');
    await joinThroughUi(ada.page, 'Ada', 'e2e-recording-firefox');
    await joinCall(fox, 'Fox', 'e2e-recording-firefox');
    await waitForRemoteVideos(ada.page, 1);
    await ada.page.getByRole('button', { name: 'Record', exact: true }).click();
    const [download] = await Promise.all([
      ada.page.waitForEvent('download', { timeout: 30_000 }),
      ada.page.getByRole('dialog').getByRole('button', { name: 'Start recording' }).click(),
    ]);
    const seen = await waitUntil(
      fox,
      'the recording badge in Firefox',
      () => document.querySelector('[data-testid="recording-badge"]')?.textContent ?? '',
      undefined,
    );
    assert.match(seen, /Ada is recording this call/);
    assert.equal(
      await fox.evaluate(() => document.querySelector('[data-testid="recording-badge"]')?.getAttribute('role')),
      'status',
    );
    await ada.page.getByRole('button', { name: 'Stop recording' }).click();
    await waitUntil(
      fox,
      'the badge gone in Firefox',
      () => (document.querySelector('[data-testid="recording-badge"]')?.textContent ?? 'x') === '',
      undefined,
    );
    await download.saveAs(join(dir, 'firefox-call.webm'));
    await fox.close();
  } finally {
    await ada.context.close();
    await pool.close();
  }
});
