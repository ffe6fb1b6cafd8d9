import assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import type { Page } from 'playwright-core';
import type { Browser as PuppeteerBrowser } from 'puppeteer-core';
import { seriousViolations } from './support/axe';
import { newParticipant } from './support/browser';
import { launchFirefox } from './support/firefox';
import { useServerAndChromium } from './support/fixture';
import { playwrightParticipant, puppeteerParticipant, type Participant } from './support/participant';
import { joinCall, waitForDecodingFrom, waitUntil } from './support/participantCall';
import { startServer, type RunningServer } from './support/server';
import { longVariant } from './support/tier';

/*
 * Noise suppression (RNNoise in an AudioWorklet), turned on through the UI: the audio each sender
 * carries is then the suppressed track (a MediaStreamAudioDestinationNode's, not the microphone's),
 * the other side still receives sound, and turning it off puts the microphone back. Mesh and
 * forwarding-unit rooms, Chromium and Firefox.
 */

/** The mesh server and Chromium; the forwarding unit's server is this file's own. */
const fx = useServerAndChromium({ chromiumArgs: ['--use-fake-device-for-media-stream=device-count=3'] });
let sfu: RunningServer;
let firefox: PuppeteerBrowser | null = null;

before(async () => {
  sfu = await startServer({ env: { ROOM_TOPOLOGY: 'sfu', SFU_ANNOUNCED_IPS: '127.0.0.1', LOG_LEVEL: 'warn' } });
});

after(async () => {
  await firefox?.close();
  await sfu?.kill('SIGTERM');
});

/** Keep every peer connection the page makes, to read what its senders carry (before page scripts). */
function recordConnections(): void {
  const pcs = new Set<RTCPeerConnection>();
  (window as unknown as { __pcs: Set<RTCPeerConnection> }).__pcs = pcs;
  const proto = RTCPeerConnection.prototype;
  for (const name of ['setLocalDescription', 'setRemoteDescription'] as const) {
    const original = proto[name] as (...args: unknown[]) => Promise<void>;
    (proto as unknown as Record<string, unknown>)[name] = function (this: RTCPeerConnection, ...args: unknown[]) {
      pcs.add(this);
      return original.apply(this, args);
    };
  }
}

async function chromiumPerson(url: string): Promise<{ p: Participant; page: Page }> {
  const { context, page } = await newParticipant(fx.browser, url);
  await page.addInitScript(recordConnections);
  return { p: playwrightParticipant(context, page), page };
}

async function firefoxPerson(url: string): Promise<Participant> {
  firefox ??= await launchFirefox();
  const context = await firefox.createBrowserContext();
  const page = await context.newPage();
  page.on('pageerror', (err) => process.stderr.write(`[firefox page error] ${String(err)}\n`));
  page.on('console', (m) => {
    if (m.type() === 'warn' || m.type() === 'error') process.stderr.write(`[firefox ${m.type()}] ${m.text()}\n`);
  });
  await page.evaluateOnNewDocument(recordConnections);
  return puppeteerParticipant(context, page, url);
}

interface Outgoing {
  /** The microphone track the call holds (mute and device pickers act on it). */
  microphone: string | null;
  microphoneEnabled: boolean | null;
  /** What the call says it sends. */
  sent: string | null;
  /** The tracks on the audio senders of every live peer connection. */
  senders: string[];
  status: string | null;
  problem: string | null;
}

function outgoing(p: Participant): Promise<Outgoing> {
  return p.evaluate(() => {
    const w = window as unknown as {
      __pcs: Set<RTCPeerConnection>;
      __parleyCall?: { localTracks: MediaStreamTrack[]; sentAudioTrack: MediaStreamTrack | null };
      __parleyNoise?: { state: { status: string; problem: string | null } };
    };
    const mic = w.__parleyCall?.localTracks.find((t) => t.kind === 'audio') ?? null;
    const senders: string[] = [];
    for (const pc of w.__pcs) {
      if (pc.connectionState !== 'connected') continue;
      for (const s of pc.getSenders()) if (s.track?.kind === 'audio') senders.push(s.track.id);
    }
    return {
      microphone: mic?.id ?? null,
      microphoneEnabled: mic?.enabled ?? null,
      sent: w.__parleyCall?.sentAudioTrack?.id ?? null,
      senders,
      status: w.__parleyNoise?.state.status ?? null,
      problem: w.__parleyNoise?.state.problem ?? null,
    };
  });
}

/** Wait until the call's noise suppression reaches `status` ('on', 'off' or 'failed'). */
async function waitForNoise(p: Participant, status: string): Promise<Outgoing> {
  await waitUntil(
    p,
    `noise suppression ${status}`,
    (want) =>
      (window as unknown as { __parleyNoise?: { state: { status: string } } }).__parleyNoise?.state.status === want,
    status,
    20_000,
  );
  return outgoing(p);
}

/** Wait until every live audio sender carries `track` (replaceTrack is asynchronous). */
async function waitForSenders(p: Participant, track: string, what: string): Promise<Outgoing> {
  const deadline = Date.now() + 10_000;
  let last = await outgoing(p);
  while (Date.now() < deadline) {
    if (last.senders.length > 0 && last.senders.every((id) => id === track)) return last;
    await new Promise((r) => setTimeout(r, 100));
    last = await outgoing(p);
  }
  assert.fail(`${p.browser}: the audio senders do not carry ${what}: ${JSON.stringify(last)}`);
}

/** The received audio energy (inbound-rtp totalAudioEnergy, summed) on a Chromium page. */
function receivedEnergy(p: Participant): Promise<{ energy: number; packets: number }> {
  return p.evaluate(async () => {
    const call = (window as unknown as { __parleyCall: { getStats(): Promise<Record<string, RTCStats[]>> } })
      .__parleyCall;
    let energy = 0;
    let packets = 0;
    for (const list of Object.values(await call.getStats())) {
      for (const s of list as Array<RTCStats & Record<string, unknown>>) {
        if (s.type !== 'inbound-rtp' || s.kind !== 'audio') continue;
        energy += Number(s.totalAudioEnergy ?? 0);
        packets += Number(s.packetsReceived ?? 0);
      }
    }
    return { energy, packets };
  });
}

/** The energy `receiver` gets over `ms`: it must grow (sound, not just packets of silence). */
async function energyOver(receiver: Participant, ms: number): Promise<{ energy: number; packets: number }> {
  const a = await receivedEnergy(receiver);
  await new Promise((r) => setTimeout(r, ms));
  const b = await receivedEnergy(receiver);
  return { energy: b.energy - a.energy, packets: b.packets - a.packets };
}

async function openDevices(p: Participant): Promise<void> {
  await p.chooseMore('Devices');
  await p.waitForSelector('.device-settings');
}

async function checkEnergy(label: string, receiver: Participant): Promise<number> {
  const got = await energyOver(receiver, 3_000);
  console.log(`${label}: received audio energy ${got.energy.toExponential(3)} in 3 s (${got.packets} packets)`);
  assert.ok(got.packets > 50, `${label}: audio packets arrive (${got.packets})`);
  assert.ok(got.energy > 0, `${label}: the received audio carries sound (energy ${got.energy})`);
  return got.energy;
}

test('mesh, Chromium: on through the device settings sends the suppressed track, off sends the microphone again', async () => {
  const ada = await chromiumPerson(fx.server.url);
  const bo = await chromiumPerson(fx.server.url);
  try {
    await joinCall(ada.p, 'Ada', 'noise-mesh');
    await joinCall(bo.p, 'Bo', 'noise-mesh');
    await Promise.all([waitForDecodingFrom(ada.p, ['Bo']), waitForDecodingFrom(bo.p, ['Ada'])]);
    const raw = await outgoing(ada.p);
    assert.equal(raw.status, 'off', 'off unless chosen');
    await waitForSenders(ada.p, raw.microphone ?? '', 'the microphone');
    const rawEnergy = await checkEnergy('raw microphone', bo.p);

    // Loaded only now: nothing of RNNoise was fetched before the toggle.
    const before = await ada.page.evaluate(() =>
      performance.getEntriesByType('resource').filter((e) => /rnnoise|workletProcessor|NoiseSuppressor/.test(e.name)),
    );
    assert.deepEqual(before, [], 'RNNoise is not loaded while off');

    await openDevices(ada.p);
    const toggle = ada.page.getByRole('button', { name: 'Noise suppression', exact: true });
    assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
    await toggle.click();
    const on = await waitForNoise(ada.p, 'on');
    assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
    assert.ok(
      on.sent && on.sent !== on.microphone,
      `the call sends another track than the microphone: ${JSON.stringify(on)}`,
    );
    await waitForSenders(ada.p, on.sent, 'the suppressed track');
    const loaded = await ada.page.evaluate(() =>
      performance.getEntriesByType('resource').map((e) => e.name.replace(/^.*\//, '')),
    );
    assert.ok(
      loaded.some((n) => /^rnnoise.*\.wasm$/.test(n)),
      `the wasm came from this origin: ${loaded.join(' ')}`,
    );
    // The sent track is a Web Audio destination's, not a device's.
    const origin = await ada.page.evaluate(() => {
      const t = (window as unknown as { __parleyCall: { sentAudioTrack: MediaStreamTrack } }).__parleyCall
        .sentAudioTrack;
      return { deviceId: t.getSettings().deviceId ?? null, label: t.label };
    });
    assert.equal(origin.label, 'MediaStreamAudioDestinationNode', JSON.stringify(origin));
    const suppressedEnergy = await checkEnergy('suppressed', bo.p);
    console.log(`suppressed / raw energy: ${(suppressedEnergy / rawEnergy).toFixed(3)}`);
    assert.deepEqual(await seriousViolations(ada.page), [], 'no serious axe violation with the toggle shown');

    // Mute acts on the microphone; the suppressed track stays on the senders, carrying silence.
    await ada.p.clickButton('Mute');
    const muted = await outgoing(ada.p);
    assert.equal(muted.microphoneEnabled, false);
    assert.deepEqual([...new Set(muted.senders)], [on.sent], 'still the suppressed track while muted');
    await new Promise((r) => setTimeout(r, 500));
    const silent = await energyOver(bo.p, 2_000);
    console.log(`muted: received energy ${silent.energy.toExponential(3)} in 2 s`);
    assert.ok(silent.energy < suppressedEnergy / 20, `muted sends silence (${silent.energy} vs ${suppressedEnergy})`);
    await ada.p.clickButton('Unmute');

    // Another microphone: the suppression stays on, the same suppressed track goes out.
    const mics = await ada.page
      .getByLabel('Microphone', { exact: true })
      .evaluate((s: HTMLSelectElement) => [...s.options].map((o) => o.value));
    const currentMic = await ada.page.evaluate(
      () =>
        (window as unknown as { __parleyCall: { localTracks: MediaStreamTrack[] } }).__parleyCall.localTracks
          .find((t) => t.kind === 'audio')
          ?.getSettings().deviceId,
    );
    const other = mics.find((id) => id !== currentMic && id !== 'default' && id !== 'communications');
    if (other) {
      await ada.page.getByLabel('Microphone', { exact: true }).selectOption(other);
      await ada.page.waitForFunction(
        (id) =>
          (window as unknown as { __parleyCall: { localTracks: MediaStreamTrack[] } }).__parleyCall.localTracks
            .find((t) => t.kind === 'audio')
            ?.getSettings().deviceId === id,
        other,
      );
      const switched = await outgoing(ada.p);
      assert.notEqual(switched.microphone, on.microphone, 'a new microphone track');
      assert.equal(switched.status, 'on');
      assert.equal(switched.sent, on.sent, 'the same suppressed track');
      await waitForSenders(ada.p, on.sent, 'the suppressed track after the switch');
      await checkEnergy('suppressed, other microphone', bo.p);
    } else {
      console.log(`one microphone only (${mics.join(', ')}): no switch tried`);
    }

    await toggle.click();
    const off = await waitForNoise(ada.p, 'off');
    await waitForSenders(ada.p, off.microphone ?? '', 'the microphone again');
    assert.equal(off.sent, off.microphone);
    await checkEnergy('raw again', bo.p);

    // Remembered: the next visit's pre-join screen shows the last choice, and on again it shows on.
    await toggle.click();
    await waitForNoise(ada.p, 'on');
    await ada.p.clickButton('Leave');
    await ada.p.goto('/r/noise-next');
    const prejoinToggle = ada.page.getByRole('button', { name: 'Noise suppression', exact: true });
    await prejoinToggle.waitFor();
    assert.equal(await prejoinToggle.getAttribute('aria-pressed'), 'true', 'remembered across visits');
  } finally {
    await Promise.allSettled([ada.p.close(), bo.p.close()]);
  }
});

test('RNNoise that cannot load: the microphone goes out as it is, and the call screen says so', async () => {
  const ada = await chromiumPerson(fx.server.url);
  const bo = await chromiumPerson(fx.server.url);
  try {
    // As a proxy or a network that drops the wasm would.
    await ada.page.route(/\/assets\/rnnoise.*\.wasm$/, (route) => route.abort());
    await joinCall(ada.p, 'Ada', 'noise-fallback');
    await joinCall(bo.p, 'Bo', 'noise-fallback');
    await Promise.all([waitForDecodingFrom(ada.p, ['Bo']), waitForDecodingFrom(bo.p, ['Ada'])]);
    await openDevices(ada.p);
    await ada.p.clickButton('Noise suppression');
    const failed = await waitForNoise(ada.p, 'failed');
    assert.ok(failed.problem, 'a reason');
    assert.equal(failed.sent, failed.microphone, 'the call sends the microphone');
    await waitForSenders(ada.p, failed.microphone ?? '', 'the microphone');
    // The note shows outside the device settings too.
    await ada.p.chooseMore('Devices');
    await ada.page.getByRole('alert').filter({ hasText: 'your microphone is sent as it is' }).waitFor();
    await checkEnergy('fallback to the microphone', bo.p);
    await ada.p.clickButton('Turn noise suppression off');
    await waitForNoise(ada.p, 'off');
  } finally {
    await Promise.allSettled([ada.p.close(), bo.p.close()]);
  }
});

async function needsSfu(t: TestContext): Promise<boolean> {
  const body = (await (await fetch(`${sfu.url}/readyz`)).json()) as { details: { sfu: { state: string } } };
  if (body.details.sfu.state === 'unavailable' || body.details.sfu.state === 'off') {
    t.skip(`no forwarding unit: ${JSON.stringify(body.details.sfu)}`);
    return false;
  }
  return true;
}

test('a room through the forwarding unit: on from the pre-join screen, then off in the call', async (t) => {
  if (!(await needsSfu(t))) return;
  const ada = await chromiumPerson(sfu.url);
  const bo = await chromiumPerson(sfu.url);
  try {
    // Ada turns it on before joining (the pre-join toggle), so her call starts with it.
    await ada.p.goto('/r/noise-sfu');
    await ada.p.fillByLabel('Username', 'Ada');
    await ada.p.clickButton('Noise suppression');
    assert.equal(
      await ada.page.getByRole('button', { name: 'Noise suppression', exact: true }).getAttribute('aria-pressed'),
      'true',
    );
    await ada.page.getByRole('button', { name: 'Join', exact: true }).click();
    await ada.p.waitForSelector('[data-testid="local-tile"]');
    await joinCall(bo.p, 'Bo', 'noise-sfu');
    await Promise.all([waitForDecodingFrom(ada.p, ['Bo'], 30_000), waitForDecodingFrom(bo.p, ['Ada'], 30_000)]);
    const topology = await ada.page.evaluate(
      () =>
        (window as unknown as { __parleyCall: { snapshot: { topology: string | null } } }).__parleyCall.snapshot
          .topology,
    );
    assert.equal(topology, 'sfu');
    const on = await waitForNoise(ada.p, 'on');
    assert.ok(on.sent && on.sent !== on.microphone);
    await waitForSenders(ada.p, on.sent, 'the suppressed track');
    await checkEnergy('sfu, suppressed', bo.p);

    await openDevices(ada.p);
    await ada.p.clickButton('Noise suppression');
    const off = await waitForNoise(ada.p, 'off');
    await waitForSenders(ada.p, off.microphone ?? '', 'the microphone again');
    await checkEnergy('sfu, raw again', bo.p);
  } finally {
    await Promise.allSettled([ada.p.close(), bo.p.close()]);
  }
});

test('Firefox sends suppressed audio that a Chromium page receives', longVariant(), async () => {
  const fox = await firefoxPerson(fx.server.url);
  const { p: ada } = await chromiumPerson(fx.server.url);
  try {
    await joinCall(fox, 'Fox', 'noise-fox');
    await joinCall(ada, 'Ada', 'noise-fox');
    await Promise.all([waitForDecodingFrom(fox, ['Ada']), waitForDecodingFrom(ada, ['Fox'])]);
    await checkEnergy('Firefox raw', ada);
    await openDevices(fox);
    await fox.clickButton('Noise suppression');
    await waitUntil(
      fox,
      'noise suppression on or failed',
      () =>
        ['on', 'failed'].includes(
          (window as unknown as { __parleyNoise?: { state: { status: string } } }).__parleyNoise?.state.status ?? '',
        ),
      undefined,
      20_000,
    );
    const on = await outgoing(fox);
    assert.equal(on.status, 'on', `the worklet runs in Firefox: ${JSON.stringify(on)}`);
    assert.ok(on.sent && on.sent !== on.microphone);
    await waitForSenders(fox, on.sent, 'the suppressed track');
    await checkEnergy('Firefox suppressed', ada);
    await fox.clickButton('Noise suppression');
    const off = await waitForNoise(fox, 'off');
    await waitForSenders(fox, off.microphone ?? '', 'the microphone again');
  } finally {
    await Promise.allSettled([fox.close(), ada.close()]);
  }
});

test(
  'what RNNoise costs: offline rendering time per second of audio, Chromium and Firefox',
  longVariant(),
  async () => {
    const { p: ada } = await chromiumPerson(fx.server.url);
    const fox = await firefoxPerson(fx.server.url);
    try {
      for (const p of [ada, fox]) {
        await joinCall(p, p.browser === 'chromium' ? 'Ada' : 'Fox', `noise-cost-${p.browser}`);
        const runs: number[] = [];
        for (let i = 0; i < 3; i++) {
          const r = await p.evaluate(() =>
            (
              window as unknown as { __parleyNoiseCost: (s: number) => Promise<{ coreShare: number; wallMs: number }> }
            ).__parleyNoiseCost(20),
          );
          runs.push(r.coreShare);
        }
        runs.sort((a, b) => a - b);
        console.log(
          `${p.browser}: RNNoise worklet renders 20 s of 48 kHz mono in ${(runs[1]! * 20_000).toFixed(0)} ms (median of 3): ${(runs[1]! * 100).toFixed(2)} % of one core in real time (runs ${runs.map((x) => (x * 100).toFixed(2)).join(', ')} %)`,
        );
        assert.ok(runs[1]! > 0);
      }
    } finally {
      await Promise.allSettled([ada.close(), fox.close()]);
    }
  },
);
