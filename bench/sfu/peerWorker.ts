/**
 * Synthetic participants of the forwarding-unit benchmark, in their own process so the server's
 * CPU is measured alone. Each joins `/parley` over Socket.IO like a browser would, publishes
 * through `sfu-publish` with a werift peer connection (a synthetic ~1 Mbit/s VP8 stream: 90
 * packets/s of ~1200 bytes in 30 frames/s, keyframes flagged; Opus-like audio with the
 * audio-level header extension), subscribes through `sfu-subscribe` and counts what arrives:
 * packets, sequence gaps and forwarding latency (each payload carries its send time; every
 * process is on this machine, so the clocks agree). werift sends receiver reports, NACKs and
 * transport-wide congestion feedback as it always does.
 */
import { performance } from 'node:perf_hooks';
import { cpuUsage } from 'node:process';
import { io, type Socket } from 'socket.io-client';
import {
  RTCPeerConnection,
  RtpHeader,
  RtpPacket,
  useAudioLevelIndication,
  useFIR,
  useNACK,
  useOPUS,
  usePLI,
  useSdesMid,
  useTransportWideCC,
  useTWCC,
  useVP8,
  type RTCRtpSender,
  type RTCRtpTransceiver,
} from 'werift';
import type { FromWorker, PeerPlan, ToWorker } from './messages';
import { installLeanReceiver } from './leanReceiver';
import { StreamCount } from './streamCount';

const VIDEO_FPS = 30;
const PACKETS_PER_FRAME = 3;
const VIDEO_PAYLOAD = 1200;
const KEYFRAME_EVERY = 2 * VIDEO_FPS;
const AUDIO_INTERVAL_MS = 20;
const AUDIO_PAYLOAD = 80;
/** A silent microphone sends one packet in this many (Opus DTX: every 400 ms). */
const DTX_EVERY = 20;
/** Where the send time (float64, ms since the epoch) sits in every payload. */
const STAMP_OFFSET = 16;
/** Keep one latency sample in this many packets (bounds memory; the distribution is the same). */
const LATENCY_SAMPLE_EVERY = 4;
const AUDIO_LEVEL_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';
const JOIN_TIMEOUT_MS = 30_000;
/** How long a subscriber waits for the room to list the tracks it expects (everyone joining). */
const TRACKS_TIMEOUT_MS = 300_000;

const now = (): number => performance.timeOrigin + performance.now();

function post(msg: FromWorker): void {
  process.send?.(msg);
}

function newPeerConnection(): RTCPeerConnection {
  return new RTCPeerConnection({
    iceServers: [],
    iceAdditionalHostAddresses: ['127.0.0.1'],
    codecs: {
      video: [useVP8({ rtcpFeedback: [useNACK(), usePLI(), useFIR(), useTWCC()] })],
      audio: [useOPUS()],
    },
    headerExtensions: {
      video: [useSdesMid(), useTransportWideCC()],
      audio: [useSdesMid(), useAudioLevelIndication(), useTransportWideCC()],
    },
  });
}

/* ------------------------------------------------------------------------------------------ *
 * Sending
 * ------------------------------------------------------------------------------------------ */

interface Publisher {
  /** When the next video frame and audio packet are due (performance.now() ms). */
  nextFrameAt: number;
  nextAudioAt: number;
  video?: { sender: RTCRtpSender; seq: number; frame: number; keyframeWanted: boolean };
  audio?: {
    sender: RTCRtpSender;
    seq: number;
    levelId: number | undefined;
    level: number;
    silent: boolean;
    tick: number;
  };
}

const publishers: Publisher[] = [];
let sending = true;
let sent = 0;

/**
 * One VP8 packet: payload descriptor (S bit on a frame's first packet), on a keyframe's first
 * packet the VP8 payload header of a key frame (P bit clear, start code, 640x360), then filler
 * with the send time at STAMP_OFFSET.
 */
function vp8Payload(first: boolean, keyframe: boolean): Buffer {
  const p = Buffer.alloc(VIDEO_PAYLOAD);
  p[0] = first ? 0x10 : 0x00;
  if (first) {
    // Frame tag: bit 0 = P (0: key frame), version 0, show_frame, first partition size.
    p[1] = (keyframe ? 0x00 : 0x01) | 0x10;
    p[2] = 0x02;
    p[3] = 0x00;
    if (keyframe) {
      p[4] = 0x9d;
      p[5] = 0x01;
      p[6] = 0x2a;
      p.writeUInt16LE(640, 7);
      p.writeUInt16LE(360, 9);
    }
  }
  p.writeDoubleLE(now(), STAMP_OFFSET);
  return p;
}

function sendVideoFrame(v: NonNullable<Publisher['video']>): void {
  const keyframe = v.frame % KEYFRAME_EVERY === 0 || v.keyframeWanted;
  v.keyframeWanted = false;
  const timestamp = (v.frame * (90_000 / VIDEO_FPS)) >>> 0;
  v.frame++;
  for (let i = 0; i < PACKETS_PER_FRAME; i++) {
    const header = new RtpHeader({
      payloadType: 96,
      sequenceNumber: v.seq,
      timestamp,
      marker: i === PACKETS_PER_FRAME - 1,
    });
    v.seq = (v.seq + 1) & 0xffff;
    sent++;
    void v.sender.sendRtp(new RtpPacket(header, vp8Payload(i === 0, keyframe && i === 0))).catch(() => undefined);
  }
}

function sendAudio(a: NonNullable<Publisher['audio']>, frame: number): void {
  // Speakers' level rises and falls (dBov below full scale: lower is louder), so the server's
  // speaker detector has something to choose; silence is 127.
  a.level = a.silent ? 127 : 20 + ((frame >> 6) % 40);
  const header = new RtpHeader({
    payloadType: 111,
    sequenceNumber: a.seq,
    timestamp: (frame * 960) >>> 0,
    marker: false,
    extensions: a.levelId === undefined ? [] : [{ id: a.levelId, payload: Buffer.from([0x80 | a.level]) }],
  });
  a.seq = (a.seq + 1) & 0xffff;
  const payload = Buffer.alloc(AUDIO_PAYLOAD);
  payload.writeDoubleLE(now(), STAMP_OFFSET);
  sent++;
  void a.sender.sendRtp(new RtpPacket(header, payload)).catch(() => undefined);
}

/**
 * Each publisher keeps its own frame clock, started at a random phase, so that publishers send
 * spread over time like independent cameras, not in one burst.
 */
const FRAME_MS = 1000 / VIDEO_FPS;
setInterval(() => {
  if (!sending) return;
  const t = performance.now();
  for (const p of publishers) {
    // A late timer sends what is due, but never more than a few frames' catch-up.
    if (t - p.nextFrameAt > 4 * FRAME_MS) p.nextFrameAt = t - FRAME_MS;
    while (p.video && p.nextFrameAt <= t) {
      sendVideoFrame(p.video);
      p.nextFrameAt += FRAME_MS;
    }
    if (t - p.nextAudioAt > 4 * AUDIO_INTERVAL_MS) p.nextAudioAt = t - AUDIO_INTERVAL_MS;
    while (p.audio && p.nextAudioAt <= t) {
      p.audio.tick++;
      if (!p.audio.silent || p.audio.tick % DTX_EVERY === 0) sendAudio(p.audio, p.audio.tick);
      p.nextAudioAt += AUDIO_INTERVAL_MS;
    }
  }
}, 2).unref();

/* ------------------------------------------------------------------------------------------ *
 * Receiving
 * ------------------------------------------------------------------------------------------ */

const streams: StreamCount[] = [];
let latencies = new Float64Array(1 << 16);
let latencyCount = 0;
let packetIndex = 0;

function recordLatency(ms: number): void {
  if (latencyCount === latencies.length) {
    const grown = new Float64Array(latencies.length * 2);
    grown.set(latencies);
    latencies = grown;
  }
  latencies[latencyCount++] = ms;
}

function onPacket(s: StreamCount, rtp: RtpPacket): void {
  s.add(rtp.header.sequenceNumber);
  if (++packetIndex % LATENCY_SAMPLE_EVERY === 0) sample(rtp);
}

/** Record the forwarding latency of one packet from the send time in its payload. */
function sample(rtp: RtpPacket): void {
  if (rtp.payload.length < STAMP_OFFSET + 8) return;
  const ms = now() - rtp.payload.readDoubleLE(STAMP_OFFSET);
  if (ms >= 0 && ms < 60_000) recordLatency(ms);
}

/* ------------------------------------------------------------------------------------------ *
 * Participants
 * ------------------------------------------------------------------------------------------ */

interface TrackInfo {
  id: string;
  participant: string;
  role: string;
  kind: 'audio' | 'video';
}

type Ack = { ok: true; description?: { type: string; sdp: string }; self?: { id: string } } & Record<string, unknown>;

const sockets: Socket[] = [];
const connections: RTCPeerConnection[] = [];

function emitAck(socket: Socket, event: string, payload: unknown): Promise<Ack> {
  return new Promise((resolve, reject) => {
    socket
      .timeout(JOIN_TIMEOUT_MS)
      .emit(event, payload, (err: Error | null, reply: Ack | { ok: false; error: string }) => {
        if (err) reject(new Error(`${event}: no answer`));
        else if (!reply.ok) reject(new Error(`${event}: ${(reply as { error: string }).error}`));
        else resolve(reply);
      });
  });
}

function connected(pc: RTCPeerConnection): Promise<void> {
  return new Promise((resolve, reject) => {
    if (pc.connectionState === 'connected') return resolve();
    const timer = setTimeout(() => reject(new Error('connection: not connected in time')), JOIN_TIMEOUT_MS);
    const sub = pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected') {
        clearTimeout(timer);
        sub.unSubscribe();
        resolve();
      } else if (state === 'failed' || state === 'closed') {
        clearTimeout(timer);
        sub.unSubscribe();
        reject(new Error(`connection: ${state}`));
      }
    });
  });
}

async function publish(socket: Socket, plan: PeerPlan): Promise<void> {
  const pc = newPeerConnection();
  connections.push(pc);
  const roles: Array<{ t: RTCRtpTransceiver; role: 'camera' | 'microphone' }> = [];
  if (plan.audio) roles.push({ t: pc.addTransceiver('audio', { direction: 'sendonly' }), role: 'microphone' });
  if (plan.video) roles.push({ t: pc.addTransceiver('video', { direction: 'sendonly' }), role: 'camera' });
  await pc.setLocalDescription(await pc.createOffer());
  const reply = await emitAck(socket, 'sfu-publish', {
    description: { type: 'offer', sdp: pc.localDescription?.sdp },
    tracks: roles.map(({ t, role }) => ({ mid: t.mid, role })),
  });
  if (!reply.description) throw new Error('sfu-publish: no answer description');
  await pc.setRemoteDescription(reply.description as { type: 'answer'; sdp: string });
  await connected(pc);
  const start = performance.now();
  const p: Publisher = {
    nextFrameAt: start + Math.random() * FRAME_MS,
    nextAudioAt: start + Math.random() * AUDIO_INTERVAL_MS,
  };
  for (const { t, role } of roles) {
    if (role === 'camera') {
      const v = { sender: t.sender, seq: (Math.random() * 0xffff) | 0, frame: 0, keyframeWanted: true };
      t.sender.onPictureLossIndication.subscribe(() => {
        v.keyframeWanted = true;
      });
      p.video = v;
    } else {
      const levelId = t.headerExtensions.find((e) => e.uri === AUDIO_LEVEL_URI)?.id;
      p.audio = {
        sender: t.sender,
        seq: (Math.random() * 0xffff) | 0,
        levelId,
        level: 127,
        silent: plan.silent === true,
        tick: 0,
      };
    }
  }
  publishers.push(p);
}

/**
 * A subscriber's socket takes every forwarded stream's packets, in bursts when the event loop
 * is busy: give it 2 MB of receive buffer (the kernel's default, ~200 kB, overflows there).
 */
function enlargeReceiveBuffer(pc: RTCPeerConnection): void {
  for (const t of pc.iceTransports) {
    const protocols = (t.connection as unknown as { protocols?: Array<{ transport?: { socket?: unknown } }> })
      .protocols;
    for (const p of protocols ?? []) {
      const socket = p.transport?.socket as { setRecvBufferSize?(n: number): void } | undefined;
      try {
        socket?.setRecvBufferSize?.(2 * 1024 * 1024);
      } catch {
        // Not bound yet or refused: the default stays.
      }
    }
  }
}

/** Resolve with the room's tracks once there are at least `count` of them. */
function tracksOnce(socket: Socket, count: number, latest: { tracks: TrackInfo[] }): Promise<TrackInfo[]> {
  return new Promise((resolve, reject) => {
    if (latest.tracks.length >= count) return resolve(latest.tracks);
    const timer = setTimeout(
      () => reject(new Error(`sfu-tracks: ${latest.tracks.length} of ${count} tracks listed`)),
      TRACKS_TIMEOUT_MS,
    );
    const onTracks = (m: { tracks: TrackInfo[] }): void => {
      if (m.tracks.length < count) return;
      clearTimeout(timer);
      socket.off('sfu-tracks', onTracks);
      resolve(m.tracks);
    };
    socket.on('sfu-tracks', onTracks);
  });
}

async function subscribe(socket: Socket, plan: PeerPlan, latest: { tracks: TrackInfo[] }): Promise<number> {
  const tracks = await tracksOnce(socket, plan.expectTracks, latest);
  const pc = newPeerConnection();
  connections.push(pc);
  const wanted = tracks.map((track) => ({ track, t: pc.addTransceiver(track.kind, { direction: 'recvonly' }) }));
  let firstMedia = NaN;
  let gotFirst: () => void = () => undefined;
  const first = new Promise<void>((r) => (gotFirst = r));
  const firstPacket = (s: StreamCount): void => {
    if (Number.isNaN(firstMedia) && s.kind === 'video') {
      firstMedia = now();
      gotFirst();
    }
  };
  const lean = plan.receiver === 'lean';
  if (!lean) {
    pc.ontrack = ({ track }) => {
      const s = new StreamCount(track.kind === 'audio' ? 'audio' : 'video');
      streams.push(s);
      track.onReceiveRtp.subscribe((rtp) => {
        firstPacket(s);
        onPacket(s, rtp);
      });
    };
  }
  await pc.setLocalDescription(await pc.createOffer());
  const reply = await emitAck(socket, 'sfu-subscribe', {
    description: { type: 'offer', sdp: pc.localDescription?.sdp },
    tracks: wanted.map(({ track, t }) => ({ mid: t.mid, track: track.id })),
  });
  if (!reply.description) throw new Error('sfu-subscribe: no answer description');
  await pc.setRemoteDescription(reply.description as { type: 'answer'; sdp: string });
  if (plan.views !== undefined) {
    let shown = 0;
    const views = tracks
      .filter((t) => t.kind === 'video')
      .map((t) =>
        shown++ < (plan.views ?? 0) ? { track: t.id, width: 320, height: 180 } : { track: t.id, width: 0, height: 0 },
      );
    socket.emit('sfu-view', { views });
  }
  await connected(pc);
  enlargeReceiveBuffer(pc);
  if (lean) {
    installLeanReceiver(pc, reply.description.sdp, {
      stream: (s) => {
        streams.push(s);
        firstPacket(s);
      },
      sample,
    });
  }
  if (!tracks.some((t) => t.kind === 'video')) return now();
  await Promise.race([first, new Promise((r) => setTimeout(r, JOIN_TIMEOUT_MS))]);
  return firstMedia;
}

/** A semaphore: at most `n` holders at once. */
function limiter(n: number): <T>(f: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async (f) => {
    if (active >= n) await new Promise<void>((r) => waiting.push(r));
    active++;
    try {
      return await f();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/**
 * One participant: join, publish, subscribe; resolves with join -> first video packet (ms).
 * `busy` bounds the connection set-ups in flight (a werift connection costs ~30 ms of CPU);
 * waiting for the others' tracks holds no slot, or a room would wait on joiners that cannot start.
 */
async function participant(
  plan: PeerPlan,
  name: string,
  busy: <T>(f: () => Promise<T>) => Promise<T>,
): Promise<number> {
  const started = now();
  const socket = io(`${plan.url}/parley`, { transports: ['websocket'], forceNew: true, reconnection: false });
  sockets.push(socket);
  const latest = { tracks: [] as TrackInfo[] };
  socket.on('sfu-tracks', (m: { tracks: TrackInfo[] }) => {
    latest.tracks = m.tracks;
  });
  try {
    await busy(async () => {
      const joined = await emitAck(socket, 'join', {
        room: plan.room,
        name,
        media: { audio: plan.audio, video: plan.video },
        topologies: ['mesh', 'sfu'],
      });
      if (joined.topology !== 'sfu') throw new Error(`join: the room is ${String(joined.topology)}, not sfu`);
      if (plan.video || plan.audio) await publish(socket, plan);
    });
  } finally {
    // Counted by the parent whether it worked or not: it waits for every participant's turn.
    post({ type: 'published' });
  }
  if (!plan.subscribe) return NaN;
  await tracksOnce(socket, plan.expectTracks, latest);
  return (await busy(() => subscribe(socket, plan, latest))) - started;
}

async function open(plan: PeerPlan): Promise<void> {
  const errors: string[] = [];
  const results: number[] = [];
  let ok = 0;
  const busy = limiter(8);
  await Promise.all(
    plan.names.map(async (name) => {
      try {
        results.push(await participant(plan, name, busy));
        ok++;
      } catch (err) {
        errors.push((err as Error).message);
      }
    }),
  );
  post({ type: 'opened', ok, errors, firstMediaMs: results });
}

function mark(): void {
  sent = 0;
  latencyCount = 0;
  for (const s of streams) s.mark();
}

function report(): void {
  let receivedVideo = 0;
  let receivedAudio = 0;
  let lost = 0;
  let lostVideo = 0;
  let flowingStreams = 0;
  for (const s of streams) {
    if (s.kind === 'video') receivedVideo += s.received;
    else receivedAudio += s.received;
    if (s.received > 0) flowingStreams++;
    lost += s.lost;
    if (s.kind === 'video') lostVideo += s.lost;
  }
  const cpu = cpuUsage();
  post({
    type: 'report',
    sent,
    receivedVideo,
    receivedAudio,
    lost,
    lostVideo,
    flowingStreams,
    latencies: latencies.slice(0, latencyCount),
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  });
}

async function close(): Promise<void> {
  sending = false;
  for (const s of sockets) s.disconnect();
  await Promise.all(connections.map((pc) => pc.close().catch(() => undefined)));
  post({ type: 'closed' });
  setTimeout(() => process.exit(0), 50);
}

process.on('message', (msg: ToWorker) => {
  switch (msg.type) {
    case 'open':
      void open(msg.plan);
      break;
    case 'send':
      sending = msg.on;
      break;
    case 'mark':
      mark();
      break;
    case 'report':
      report();
      break;
    case 'close':
      void close();
      break;
  }
});
process.on('disconnect', () => process.exit(0));
