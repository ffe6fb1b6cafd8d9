import type { Page } from 'playwright-core';
import { launchChromium, newParticipant } from '../e2e/support/browser';
import { startServer } from '../e2e/support/server';
import { joinFromPreJoin, preJoinReady } from '../e2e/support/call';
import { availableParallelism } from 'node:os';
import { descendantsCpuSeconds } from './support/proc';
import { fmt, summarize } from './support/stats';
import type { Benchmark } from './types';

/** One `parley:*` User Timing mark of a page, as epoch milliseconds. */
interface Mark {
  milestone: string;
  at: number;
}

/** The page's `parley:` marks; the remote-participant suffix is dropped (one remote per page here). */
function marksOf(page: Page): Promise<Mark[]> {
  return page.evaluate(() =>
    performance
      .getEntriesByType('mark')
      .filter((m) => m.name.startsWith('parley:'))
      .map((m) => ({ milestone: m.name.split(':')[1] ?? m.name, at: performance.timeOrigin + m.startTime })),
  );
}

/** Cores the machine gives the browser and the server. */
const CORES = availableParallelism();

/** How long one call may take to show the first frame on both sides before it counts as failed. */
const CONNECT_TIMEOUT_MS = Number(process.env.BENCH_SETUP_TIMEOUT_MS ?? 30_000);

function waitForFirstFrame(page: Page, timeout: number): Promise<unknown> {
  return page.waitForFunction(
    () => performance.getEntriesByType('mark').some((m) => m.name.startsWith('parley:first-frame:')),
    null,
    { timeout, polling: 50 },
  );
}

/**
 * What a page knows about why its call did not come up: the state of each peer connection, its
 * candidate pairs and candidates (from the call's own statistics), and its marks.
 */
function diagnosisOf(page: Page): Promise<unknown> {
  return page
    .evaluate(async () => {
      const call = (window as unknown as { __parleyCall?: { getStats(): Promise<Record<string, RTCStats[]>> } })
        .__parleyCall;
      const stats = call ? await call.getStats() : {};
      const links: Record<string, unknown> = {};
      for (const [id, list] of Object.entries(stats)) {
        const rows = list as Array<RTCStats & Record<string, unknown>>;
        const pick = (type: string, keys: string[]): Array<Record<string, unknown>> =>
          rows.filter((r) => r.type === type).map((r) => Object.fromEntries(keys.map((k) => [k, r[k]])));
        links[id] = {
          transport: pick('transport', ['iceState', 'dtlsState', 'iceRole', 'selectedCandidatePairId']),
          pairs: pick('candidate-pair', [
            'state',
            'nominated',
            'requestsSent',
            'responsesReceived',
            'requestsReceived',
          ]),
          local: pick('local-candidate', ['address', 'port', 'protocol', 'candidateType']),
          remote: pick('remote-candidate', ['address', 'port', 'protocol', 'candidateType']),
        };
      }
      const marks = performance
        .getEntriesByType('mark')
        .filter((m) => m.name.startsWith('parley:'))
        .map((m) => `${m.name}@${m.startTime.toFixed(0)}`);
      return { url: location.pathname, links, marks };
    })
    .catch((err: unknown) => ({ error: String(err) }));
}

/** The page's console (the app logs its warnings there: `[parley] <peer>: <what happened>`). */
function recordConsole(page: Page): string[] {
  const lines: string[] = [];
  const t0 = Date.now();
  page.on('console', (m) => {
    if (m.type() === 'warning' || m.type() === 'error' || m.text().includes('[parley]'))
      lines.push(`+${Date.now() - t0}ms ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (err) => lines.push(`+${Date.now() - t0}ms pageerror: ${err.message}`));
  return lines;
}

/** Milestones in the order they happen, with the side whose page marks them. */
const MILESTONES: Array<{ side: 'newcomer' | 'other'; milestone: string; label: string }> = [
  { side: 'newcomer', milestone: 'start', label: 'call page started' },
  { side: 'newcomer', milestone: 'signaling-connected', label: 'signaling connected' },
  { side: 'newcomer', milestone: 'media-ready', label: 'camera and microphone ready' },
  { side: 'newcomer', milestone: 'joined', label: 'join acknowledged' },
  { side: 'other', milestone: 'participant-joined', label: 'told of the newcomer' },
  { side: 'newcomer', milestone: 'offer-sent', label: 'offer sent' },
  { side: 'other', milestone: 'offer-received', label: 'offer applied' },
  { side: 'other', milestone: 'answer-sent', label: 'answer sent' },
  { side: 'newcomer', milestone: 'answer-received', label: 'answer applied' },
  { side: 'newcomer', milestone: 'ice-connected', label: 'ICE connected' },
  { side: 'other', milestone: 'ice-connected', label: 'ICE connected' },
  { side: 'newcomer', milestone: 'dtls-connected', label: 'DTLS connected' },
  { side: 'other', milestone: 'dtls-connected', label: 'DTLS connected' },
  { side: 'newcomer', milestone: 'video-attached', label: 'remote video in its tile' },
  { side: 'other', milestone: 'video-attached', label: 'remote video in its tile' },
  { side: 'newcomer', milestone: 'frame-received', label: 'first shown frame received' },
  { side: 'other', milestone: 'frame-received', label: 'first shown frame received' },
  { side: 'newcomer', milestone: 'first-frame', label: 'first remote frame decoded' },
  { side: 'other', milestone: 'first-frame', label: 'first remote frame decoded' },
];

const bench: Benchmark = {
  name: 'setup',
  description:
    'Call set-up in real Chromium (fake camera, loopback): one person waits in a room, a second one ' +
    'clicks Join on the home page; time from that click to the first decoded remote video frame on ' +
    "both sides, and the breakdown from the pages' own timing marks (ms after the click).",
  async run({ smoke, log }) {
    const runs = Number(process.env.BENCH_SETUP_RUNS ?? (smoke ? 1 : 50));
    const server = await startServer();
    const browser = await launchChromium();
    const perRun: Array<{ both: number; newcomer: Mark[]; other: Mark[]; cpuMs: number; busy: number }> = [];
    /** Calls that did not show a frame on both sides in time, with each page's own account. */
    const failures: Array<{ run: number; error: string; newcomer: unknown; other: unknown }> = [];
    try {
      for (let i = 0; i < runs; i++) {
        const room = `setup-${Date.now().toString(36)}-${i}`;
        const other = await newParticipant(browser, server.url);
        const newcomer = await newParticipant(browser, server.url);
        const logs = { other: recordConsole(other.page), newcomer: recordConsole(newcomer.page) };
        try {
          await other.page.goto('/');
          await other.page.getByLabel('Username').fill('Ada');
          await other.page.getByLabel('Room').fill(room);
          await other.page.getByRole('button', { name: 'Join' }).click();
          await joinFromPreJoin(other.page);
          await other.page.getByText('Waiting for others to join').waitFor();

          // The second person has the home page open and the form filled, as after typing.
          await newcomer.page.goto('/');
          await newcomer.page.getByLabel('Username').fill('Grace');
          await newcomer.page.getByLabel('Room').fill(room);
          await newcomer.page.waitForLoadState('networkidle');
          await newcomer.page.waitForTimeout(500);
          await newcomer.page.getByRole('button', { name: 'Join' }).click();
          // The pre-join screen opens the camera for the preview; the measured click is its Join,
          // once it is ready (so that the CPU below is the set-up's, not the preview's start).
          await preJoinReady(newcomer.page);
          // The CPU the browser (both pages and its shared processes) and the server use during the
          // set-up, against what the machine's cores give in that time.
          const cpuBefore = descendantsCpuSeconds(process.pid);
          const wallBefore = performance.now();
          await newcomer.page.getByRole('button', { name: 'Join', exact: true }).click();
          await Promise.all([
            waitForFirstFrame(newcomer.page, CONNECT_TIMEOUT_MS),
            waitForFirstFrame(other.page, CONNECT_TIMEOUT_MS),
          ]);
          const cpuMs = (descendantsCpuSeconds(process.pid) - cpuBefore) * 1000;
          const wallMs = performance.now() - wallBefore;

          const [n, o] = await Promise.all([marksOf(newcomer.page), marksOf(other.page)]);
          const click = n.filter((m) => m.milestone === 'join-click').at(-1)?.at;
          if (click === undefined) throw new Error('the home page did not mark the Join click');
          const rel = (marks: Mark[]): Mark[] => marks.map((m) => ({ milestone: m.milestone, at: m.at - click }));
          const newcomerMarks = rel(n);
          const otherMarks = rel(o.filter((m) => m.at >= click));
          const frame = (marks: Mark[]): number => marks.find((m) => m.milestone === 'first-frame')?.at ?? NaN;
          const both = Math.max(frame(newcomerMarks), frame(otherMarks));
          perRun.push({ both, newcomer: newcomerMarks, other: otherMarks, cpuMs, busy: cpuMs / (wallMs * CORES) });
          log(`run ${i + 1}/${runs}: first frame on both sides ${both.toFixed(0)} ms after the click`);
        } catch (err) {
          // A call that did not come up is a result, not the end of the benchmark.
          const [n, o] = await Promise.all([diagnosisOf(newcomer.page), diagnosisOf(other.page)]);
          const failure = {
            run: i + 1,
            error: err instanceof Error ? err.message.split('\n')[0]! : String(err),
            newcomer: { ...(n as object), console: logs.newcomer },
            other: { ...(o as object), console: logs.other },
          };
          failures.push(failure);
          log(`run ${i + 1}/${runs}: FAILED (${failure.error})\n${JSON.stringify(failure, null, 1)}`);
        } finally {
          await other.context.close();
          await newcomer.context.close();
        }
      }
    } finally {
      await browser.close();
      await server.kill('SIGTERM');
    }

    const rows: Array<Array<string | number>> = [];
    for (const m of MILESTONES) {
      const samples = perRun
        .map((r) => (m.side === 'newcomer' ? r.newcomer : r.other).find((x) => x.milestone === m.milestone)?.at)
        .filter((x): x is number => x !== undefined);
      const s = summarize(samples);
      rows.push([m.label, m.side, fmt(s.p50), fmt(s.p90), fmt(Math.min(...samples)), fmt(s.max), s.count]);
    }
    const both = summarize(perRun.map((r) => r.both));
    rows.push([
      '**first frame on both sides**',
      'both',
      `**${fmt(both.p50)}**`,
      fmt(both.p90),
      fmt(Math.min(...perRun.map((r) => r.both))),
      fmt(both.max),
      both.count,
    ]);
    const cpu = summarize(perRun.map((r) => r.cpuMs));
    const busy = summarize(perRun.map((r) => r.busy * 100));
    // Failed calls are counted in the last column; no time of theirs enters the percentiles above.
    rows.push(['**calls that did not connect**', 'both', '-', '-', '-', '-', `**${failures.length} of ${runs}**`]);
    return {
      columns: ['milestone (ms after the second Join click)', 'page', 'p50', 'p90', 'min', 'max', 'runs'],
      rows,
      notes: [
        `Join click to first frame on both sides: p50 ${fmt(both.p50)} ms, p90 ${fmt(both.p90)} ms over ${both.count} connected calls (target: p50 <= 220 ms, p90 <= 300 ms); ${failures.length} of ${runs} did not show a frame on both sides within ${CONNECT_TIMEOUT_MS / 1000} s${failures.length ? ` (runs ${failures.map((f) => f.run).join(', ')}; their pages' logs are in the JSON and on stderr)` : ''}.`,
        'newcomer = the person who clicks Join (makes the offer); other = the person already in the room.',
        `CPU during the set-up (every process the benchmark started: the browser with both pages, and the server; from /proc, between the click and both first frames as the benchmark saw them, up to 50 ms late): p50 ${fmt(cpu.p50)} ms, p90 ${fmt(cpu.p90)} ms; the machine was p50 ${fmt(busy.p50)} % busy (p90 ${fmt(busy.p90)} %) of its ${CORES} cores. Near 100 %, the set-up waits for CPU rather than for the network.`,
      ],
      data: { runs: perRun, both, failures },
    };
  },
};

export default bench;
