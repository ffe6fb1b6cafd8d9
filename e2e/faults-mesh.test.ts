import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { joinThroughUi } from './support/call';
import {
  formatReceived,
  framesDecodedByName,
  linkReport,
  lowResCamera,
  markLinks,
  pageLog,
  peerConnectionTrace,
  tracePeerConnections,
  watchDecoded,
  type Received,
} from './support/faults';
import { chatTexts, openChat, sendChat } from './support/features';
import { labPerson, startLabServer, type LabPerson } from './support/labCall';
import { waitAllDecoding } from './support/mesh';
import { NetLab, netlabUnavailable } from './support/netlab';
import type { RunningServer } from './support/server';

/*
 * One bad connection must not spoil a mesh room (issue 18). Four people, each in a network lab
 * node of their own, camera at 320x240 and 15 fps; Dave's link is made bad while the others'
 * stay good:
 * - 15 % random loss both ways: the others keep their frame rate from each other and still
 *   decode Dave;
 * - Dave's uplink capped at 250 kbit/s: what the others receive from him is reported;
 * - Dave's link fully down for 20 s, with a chat message sent during it: nobody is removed from
 *   the room, media resumes within 3 s of the link returning on the same connections (no
 *   rejoin from scratch), and the message arrives once.
 * Each phase is watched for 8 s (about 100 s in all); PARLEY_FAULTS_FULL=1 watches 30 s.
 */

const FULL = process.env.PARLEY_FAULTS_FULL === '1';
// Opt-in until it has run green on the shared test machine: PARLEY_FAULTS_MESH=1 (or the full run).
const skip =
  netlabUnavailable() ??
  (process.env.PARLEY_FAULTS_MESH === '1' || FULL ? false : 'set PARLEY_FAULTS_MESH=1 to run it');
const PHASE_S = FULL ? 30 : 8;
const OUTAGE_S = 20;
const NAMES = ['Alice', 'Bob', 'Carol', 'Dave'] as const;
const BAD = 'Dave';

let lab: NetLab;
let server: RunningServer;
const people: LabPerson[] = [];
const logs: string[][] = [];

before(async () => {
  if (skip) return;
  lab = await NetLab.create();
  server = await startLabServer(lab, { ROOM_TOPOLOGY: 'mesh' });
  // One at a time: the lab numbers its nodes as they are added.
  for (const n of NAMES) people.push(await labPerson(lab, n, server.url));
  const t0 = Date.now();
  for (const p of people) {
    await lowResCamera(p.page);
    await tracePeerConnections(p.page);
    logs.push(pageLog(p.page, p.name, t0));
  }
});

after(async () => {
  await Promise.all(people.map((p) => p.browser.close().catch(() => undefined)));
  await server?.kill('SIGTERM');
  await lab?.close();
});

const pages = () => people.map((p) => ({ name: p.name, page: p.page }));
const person = (name: string): LabPerson => people.find((p) => p.name === name)!;

type Row = Received & { decodedFps: number };

function report(label: string, rows: Row[]): void {
  console.log(formatReceived(label, rows));
  console.log(`#   decoded fps: ${rows.map((r) => `${r.receiver}<${r.sender} ${r.decodedFps.toFixed(1)}`).join(', ')}`);
}

/** The decoded frame rate of one pair, from rows of a phase. */
function fps(rows: Row[], receiver: string, sender: string): number {
  const r = rows.find((x) => x.receiver === receiver && x.sender === sender);
  assert.ok(r, `${receiver} sees ${sender}`);
  return r.decodedFps;
}

/** On failure: what the pages logged and did, to tell where a recovery went wrong. */
async function diagnose(): Promise<string> {
  const parts: string[] = [];
  for (const p of people) {
    parts.push(`--- ${p.name} links ${JSON.stringify(await linkReport(p.page).catch(() => []))}`);
    parts.push(...(await peerConnectionTrace(p.page).catch(() => [])).slice(-40));
  }
  parts.push(...logs.flat().slice(-80));
  return parts.join('\n');
}

test('mesh of four: one person on a bad network does not spoil the room', { skip, timeout: 600_000 }, async () => {
  try {
    for (const p of people) await joinThroughUi(p.page, p.name, 'faults-mesh');
    await Promise.all(people.map((p) => waitAllDecoding(p.page, 3, { timeoutMs: 60_000 })));
    const size = await person('Alice').page.evaluate(() => {
      const v = document.querySelector<HTMLVideoElement>('[data-testid="remote-tile"] video');
      return `${v?.videoWidth}x${v?.videoHeight}`;
    });
    console.log(`# four people connected; camera ${size}; phases of ${PHASE_S} s`);
    await new Promise((r) => setTimeout(r, 2000)); // let the bandwidth estimates settle

    // Baseline.
    const baseline = await watchDecoded(pages(), PHASE_S);
    report('baseline', baseline);
    assert.equal(baseline.length, 12, 'every person sees the three others');

    // One lossy person: 15 % of Dave's packets lost both ways.
    await lab.loss(BAD, 'both', 15);
    const lossy = await watchDecoded(pages(), PHASE_S);
    await lab.loss(BAD, 'both', 0);
    report(`${BAD} loses 15 % both ways`, lossy);
    for (const r of lossy) {
      if (r.receiver === BAD || r.sender === BAD) {
        assert.ok(r.decodedFps > 2, `${r.receiver} still decodes ${r.sender} (${r.decodedFps.toFixed(1)} fps)`);
        continue;
      }
      const base = fps(baseline, r.receiver, r.sender);
      console.log(`#   ${r.receiver} <- ${r.sender}: ${((100 * r.decodedFps) / base).toFixed(0)} % of baseline`);
    }
    // The others among themselves: the room's frame rate holds (within the noise of a busy machine).
    const others = lossy.filter((r) => r.receiver !== BAD && r.sender !== BAD);
    const kept =
      others.reduce((s, r) => s + r.decodedFps, 0) /
      others.reduce((s, r) => s + fps(baseline, r.receiver, r.sender), 0);
    console.log(`#   the others keep ${(kept * 100).toFixed(0)} % of their baseline frame rate from each other`);
    assert.ok(kept > 0.8, `the others keep their frame rate (${(kept * 100).toFixed(0)} %)`);
    await new Promise((r) => setTimeout(r, 2000));

    // One thin uplink: Dave sends through 250 kbit/s.
    await lab.limit(BAD, 'up', 250);
    const thin = await watchDecoded(pages(), PHASE_S);
    await lab.limit(BAD, 'up', null);
    report(`${BAD}'s uplink capped at 250 kbit/s`, thin);
    for (const r of thin) {
      if (r.sender === BAD) continue;
      assert.ok(r.decodedFps > 2, `${r.receiver} still decodes ${r.sender} (${r.decodedFps.toFixed(1)} fps)`);
    }
    await new Promise((r) => setTimeout(r, 3000));

    // Outage: Dave's link drops everything for 20 s; Alice writes in the chat meanwhile.
    for (const p of people) await markLinks(p.page, 'before-outage');
    await openChat(person('Alice').page);
    const ids = await Promise.all(
      people.map((p) =>
        p.page.locator('[data-testid="remote-tile"]').evaluateAll((els) =>
          els
            .map((e) => e.getAttribute('data-participant-id'))
            .sort()
            .join(','),
        ),
      ),
    );
    const message = `said during the outage ${Date.now()}`;
    await lab.outage(BAD, true);
    const downAt = Date.now();
    let fewestTiles = 3;
    let sent = false;
    while (Date.now() - downAt < OUTAGE_S * 1000) {
      if (!sent && Date.now() - downAt > 5000) {
        await sendChat(person('Alice').page, message);
        sent = true;
      }
      for (const p of people) {
        fewestTiles = Math.min(fewestTiles, await p.page.locator('[data-testid="remote-tile"]').count());
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    const downFrames = await Promise.all(people.map((p) => framesDecodedByName(p.page)));
    await lab.outage(BAD, false);
    const upAt = Date.now();
    // Time until each pair with Dave decodes new frames again.
    const resumed = new Map<string, number>();
    const pairs = people.flatMap((p, i) =>
      people.filter((q) => q !== p && (p.name === BAD || q.name === BAD)).map((q) => ({ i, rx: p.name, tx: q.name })),
    );
    while (resumed.size < pairs.length && Date.now() - upAt < 30_000) {
      const now = await Promise.all(people.map((p) => framesDecodedByName(p.page)));
      for (const { i, rx, tx } of pairs) {
        const key = `${rx} <- ${tx}`;
        if (!resumed.has(key) && (now[i]?.get(tx) ?? 0) > (downFrames[i]?.get(tx) ?? 0) + 1) {
          resumed.set(key, (Date.now() - upAt) / 1000);
        }
      }
      for (const p of people) {
        fewestTiles = Math.min(fewestTiles, await p.page.locator('[data-testid="remote-tile"]').count());
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    console.log(`# ${BAD}'s link down ${OUTAGE_S} s, then back: media resumed after`);
    for (const { rx, tx } of pairs) {
      const key = `${rx} <- ${tx}`;
      console.log(`#   ${key.padEnd(16)} ${resumed.has(key) ? `${resumed.get(key)!.toFixed(1)} s` : 'never (30 s)'}`);
    }
    const slowest = Math.max(...pairs.map(({ rx, tx }) => resumed.get(`${rx} <- ${tx}`) ?? Infinity));
    assert.equal(fewestTiles, 3, "nobody was removed from anyone's screen during the outage");
    assert.ok(slowest <= 3, `media resumed within 3 s of the link returning (slowest ${slowest.toFixed(1)} s)`);

    // Same people, same connections: nobody rejoined and no connection was rebuilt.
    const idsAfter = await Promise.all(
      people.map((p) =>
        p.page.locator('[data-testid="remote-tile"]').evaluateAll((els) =>
          els
            .map((e) => e.getAttribute('data-participant-id'))
            .sort()
            .join(','),
        ),
      ),
    );
    assert.deepEqual(idsAfter, ids, 'the same participants on every screen');
    for (const p of people) {
      const links = await linkReport(p.page);
      assert.equal(links.length, 3);
      assert.ok(
        links.every((l) => l.mark === 'before-outage'),
        `${p.name}'s connections were kept: ${JSON.stringify(links)}`,
      );
    }

    // The chat message sent during the outage arrives once, at Dave's too.
    for (const p of people.filter((x) => x.name !== 'Alice')) await openChat(p.page);
    for (const p of people) {
      await p.page
        .locator('[data-testid="chat-messages"] .chat-text')
        .filter({ hasText: message })
        .first()
        .waitFor({ timeout: 15_000 });
    }
    await new Promise((r) => setTimeout(r, 2000));
    for (const p of people) {
      const n = (await chatTexts(p.page)).filter((t) => t === message).length;
      assert.equal(n, 1, `${p.name} shows the message once`);
    }

    const after = await watchDecoded(pages(), PHASE_S);
    report('after the outage', after);
    for (const r of after) assert.ok(r.decodedFps > 2, `${r.receiver} decodes ${r.sender} again`);
  } catch (err) {
    console.log(await diagnose());
    throw err;
  }
});
