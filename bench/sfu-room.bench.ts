import { fmt } from './support/stats';
import {
  closeWorkers,
  lossPercent,
  measure,
  microsPerPacket,
  openPeers,
  sleep,
  startTarget,
  startWorkers,
  type PeerWorker,
  type Target,
} from './sfu/harness';
import type { FromWorker, PeerPlan } from './sfu/messages';
import type { Benchmark } from './types';

/**
 * Knobs for development runs: BENCH_SFU_ROOM_SIZE=50 participants; BENCH_SFU_ROOM_VIEWS=9 videos
 * shown to each; BENCH_SFU_ROOM_SPEAKERS=3 microphones that speak (the others send as Opus DTX
 * does); BENCH_SFU_ROOM_SECONDS=8; BENCH_SFU_ROOM_WORKERS=3 peer processes;
 * BENCH_SFU_ROOM_TARGET=parley (`bare`: the same engine behind the bare reference server).
 */
const MB = 1024 * 1024;
type Opened = Extract<FromWorker, { type: 'opened' }>;

const bench: Benchmark = {
  name: 'sfu-room',
  description:
    "The largest room: N synthetic participants (werift, in their own processes) in one room of Parley's server " +
    '(ROOM_TOPOLOGY=sfu). Each publishes a camera (~1 Mbit/s VP8-like, one layer: werift cannot send simulcast) and ' +
    'a microphone (Opus-like with the audio level; three speak, the others send as Opus DTX does), subscribes to ' +
    'every other track and reports 9 videos as shown (320x180) and the rest as hidden (0x0), so the server forwards ' +
    'those 9 videos and every microphone. The last participant joins when the others have published: its join ' +
    'time runs from `join` to its first video packet, while the others subscribe to its tracks.',
  async run({ smoke, log }) {
    const size = Number(process.env.BENCH_SFU_ROOM_SIZE ?? (smoke ? 4 : 50));
    const views = Number(process.env.BENCH_SFU_ROOM_VIEWS ?? (smoke ? 2 : 9));
    const speakers = Number(process.env.BENCH_SFU_ROOM_SPEAKERS ?? 3);
    const seconds = Number(process.env.BENCH_SFU_ROOM_SECONDS ?? (smoke ? 2 : 8));
    const workerCount = Number(process.env.BENCH_SFU_ROOM_WORKERS ?? (smoke ? 1 : 3));

    const target = (process.env.BENCH_SFU_ROOM_TARGET ?? 'parley') as Target;
    const started = await startTarget(target);
    if (started.server === null) {
      log(`skipped: ${started.reason}`);
      return { columns: [], rows: [], skipped: started.reason, notes: [] };
    }
    const server = started.server;
    const workers = await startWorkers(workerCount);
    const lastWorker = (await startWorkers(1))[0] as PeerWorker;
    const all = [...workers, lastWorker];
    try {
      const room = 'bench-sfu-room';
      const plan = (names: string[], silent: boolean): PeerPlan => ({
        url: server.url,
        room,
        names,
        video: true,
        audio: true,
        silent,
        subscribe: true,
        expectTracks: 2 * (size - 1),
        views,
        receiver: (process.env.BENCH_SFU_RECEIVER ?? 'lean') as 'lean' | 'werift',
      });
      // The first N-1, spread over the workers; the speakers are the first few.
      const names = Array.from({ length: size - 1 }, (_, i) => `p-${i}`);
      const opening = workers.map((w, wi) => {
        const mine = names.filter((_, i) => i % workers.length === wi);
        const speaking = mine.filter((n) => Number(n.slice(2)) < speakers);
        const silent = mine.filter((n) => Number(n.slice(2)) >= speakers);
        // Settled even when a worker dies, so that a failure is reported, not left unhandled.
        const open = (names: string[], silent: boolean): Promise<Opened | null> =>
          names.length === 0
            ? Promise.resolve(null)
            : openPeers(w, plan(names, silent)).catch((err: Error) => ({
                type: 'opened' as const,
                ok: 0,
                errors: [err.message],
                firstMediaMs: [],
              }));
        return Promise.all([open(speaking, false), open(silent, true)]);
      });
      // Wait until all N-1 have published, then the last one joins.
      const publishing = performance.now();
      let published = 0;
      await Promise.all(
        workers.map(async (w, wi) => {
          const count = names.filter((_, i) => i % workers.length === wi).length;
          for (let i = 0; i < count; i++) {
            // Bounded by each participant's own timeouts; a loaded machine sets werift up slowly.
            await w.next('published', 300_000);
            if (++published % 10 === 0) log(`${published} published`);
          }
        }),
      );
      log(`${size - 1} participants published in ${fmt((performance.now() - publishing) / 1000, 1)} s`);
      await sleep(1000);
      const last = await openPeers(lastWorker, plan([`p-${size - 1}`], true));
      const others = (await Promise.all(opening)).flat().filter((o) => o !== null);
      const joined = last.ok + others.reduce((n, o) => n + o.ok, 0);
      const errors = [...last.errors, ...others.flatMap((o) => o.errors)];
      const joinMs = last.firstMediaMs[0] ?? NaN;
      log(`${joined} of ${size} joined; the last in ${fmt(joinMs)} ms${errors.length ? `; ${errors[0]}` : ''}`);
      await sleep(smoke ? 1000 : 3000);
      const w = await measure(server, all, seconds);
      const videoPps = (w.receivedVideo + w.lostVideo) / w.seconds;
      const audioPps = (w.receivedAudio + w.lost - w.lostVideo) / w.seconds;
      log(
        `server ${fmt(w.serverCpuPercent, 1)} %, video ${fmt(videoPps)} pkts/s, audio ${fmt(audioPps)} pkts/s, ` +
          `loss ${fmt(lossPercent(w), 2)} %, peers ${fmt(w.peersCpuPercent)} %`,
      );
      if (smoke && w.receivedVideo === 0) throw new Error('no video packet was forwarded');
      return {
        columns: [
          'participants',
          'videos shown each',
          'joined',
          'last join -> first video ms',
          'video pkts/s',
          'audio pkts/s',
          'server CPU %',
          'µs/pkt',
          'loss %',
          'p50 ms',
          'p99 ms',
          'RSS MB',
          'peers CPU %',
        ],
        rows: [
          [
            size,
            views,
            joined,
            fmt(joinMs),
            fmt(videoPps),
            fmt(audioPps),
            fmt(w.serverCpuPercent, 1),
            fmt(microsPerPacket(w), 1),
            fmt(lossPercent(w), 2),
            fmt(w.latency.p50, 1),
            fmt(w.latency.p99, 1),
            fmt(w.serverRss / MB),
            fmt(w.peersCpuPercent),
          ],
        ],
        notes: [
          `Forwarded packets per second are what the subscribers received plus what they lost; with ${views} videos ` +
            `shown to each of ${size}, full forwarding is about ${fmt(size * Math.min(views, size - 1) * 90)} video packets/s.`,
          ...(errors.length > 0 ? [`${errors.length} participants failed: ${errors.slice(0, 3).join('; ')}`] : []),
        ],
        data: { size, views, speakers, joinMs, window: w, errors },
      };
    } finally {
      await closeWorkers(all);
      await server.stop();
    }
  },
};

export default bench;
