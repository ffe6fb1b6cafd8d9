/**
 * A protocol fuzzer: real Socket.IO clients send random, malformed, oversized, deep, wide,
 * binary and out-of-order events to a Parley server on BOTH namespaces (Parley's `/parley` and
 * the seed protocol's `/`), write raw Socket.IO packets and raw Engine.IO frames under the client
 * library, then flood it over its rate limits. It counts what it sent and how the server
 * answered, per kind. Bounded: it stops by itself after `events`.
 *
 * Frames that must cost their sender the connection (deep, wide, over-attached, oversized,
 * garbage) go out on short-lived connections of their own, from rotating loopback addresses,
 * so that the per-address connection limit measures only the connection flood.
 */
import { SDP_MAX, SEED_EXTRA_MAX } from '@parley/protocol';
import { io, type Socket } from 'socket.io-client';

export const FUZZ_KINDS = [
  'out-of-order',
  'wrong-type',
  'unknown-event',
  'deep-object',
  'deep-frame',
  'wide',
  'binary',
  'huge-string',
  'oversized-frame',
  'raw-garbage',
  'raw-engine',
  'message-flood',
  'connection-flood',
] as const;
export type FuzzKind = (typeof FUZZ_KINDS)[number];

/** Namespaces the fuzzer speaks to: Parley's own and the seed protocol's. */
export type FuzzNamespace = '/parley' | '/';

export interface FuzzCount {
  sent: number;
  /** Answered with `ok: false` or a protocol-error, refused at the handshake, or ignored. */
  refused: number;
  /** Answered with `ok: true` (valid events in a legal order). */
  accepted: number;
  /** No answer because the server closed the connection (frame out of bounds, garbage, flood). */
  cutOff: number;
}

export interface FuzzReport {
  counts: Record<FuzzKind, FuzzCount>;
  /** Events sent per namespace (random phase and floods). */
  perNamespace: Record<FuzzNamespace, number>;
  /** Connections the server closed. */
  disconnects: number;
  /** Flooding connections opened (each should be closed by the server). */
  floodSockets: number;
  total: number;
  /** Wall time of the whole run, in ms. */
  ms: number;
}

export interface FuzzOptions {
  /** Events to send in the random phase (the floods come on top). */
  events: number;
  /** Long-lived fuzzing connections per namespace. */
  sockets: number;
  seed?: number;
  /** Frame limit of the server (bytes); oversized frames are just above it. */
  frameMax: number;
  /** Messages one flooding socket sends at once. */
  floodSize: number;
  /** Connections the connection flood attempts (from its own loopback address). */
  connectionFloodSize: number;
  /** Deepest nesting of the deep frames (default 100,000 levels). */
  deepMax?: number;
  /** Namespaces to fuzz (default both). */
  namespaces?: readonly FuzzNamespace[];
}

/** Lethal-frame connections open at once. */
const LETHAL_PARALLEL = 8;
/** Wait for the answer to the probe after a lethal frame (no answer: the connection was closed). */
const PROBE_TIMEOUT_MS = 10_000;

/** Small deterministic PRNG (mulberry32), so a failing run can be replayed with its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PARLEY_EVENTS = [
  'join',
  'signal',
  'leave',
  'media-state',
  'room-lock',
  'room-password',
  'room-lobby',
  'room-end',
  'host-transfer',
  'participant-remove',
  'participant-mute',
  'lobby-admit',
  'lobby-deny',
  'chat-send',
  'check',
];
const SEED_EVENTS = ['join', 'data'];

const sdp = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';

function connectSocket(url: string, namespace: FuzzNamespace, localAddress?: string): Promise<Socket> {
  const socket = io(`${url}${namespace}`, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    ...(localAddress ? { localAddress } : {}),
  } as Parameters<typeof io>[1]);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

/** Write a Socket.IO packet (text or binary attachment) under the client library. */
function writePacket(socket: Socket, packet: string | Buffer): void {
  (socket.io.engine as unknown as { write(d: string | Buffer): void }).write(packet);
}

/** Write a raw Engine.IO frame straight onto the WebSocket. */
function writeFrame(socket: Socket, frame: string | Buffer): void {
  (socket.io.engine as unknown as { transport: { ws: { send(d: string | Buffer): void } } }).transport.ws.send(frame);
}

export async function fuzz(url: string, opts: FuzzOptions): Promise<FuzzReport> {
  const t0 = performance.now();
  const rand = rng(opts.seed ?? 0x9a41e7);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const namespaces = opts.namespaces ?? ['/parley', '/'];
  const deepMax = opts.deepMax ?? 100_000;
  const counts = Object.fromEntries(
    FUZZ_KINDS.map((k) => [k, { sent: 0, refused: 0, accepted: 0, cutOff: 0 }]),
  ) as Record<FuzzKind, FuzzCount>;
  const perNamespace: Record<FuzzNamespace, number> = { '/parley': 0, '/': 0 };
  let disconnects = 0;
  const ids: string[] = ['nobody', 'x'.repeat(64)];
  const rooms = ['fuzz-a', 'fuzz-b', 'fuzz-c'];

  // Loopback addresses for the short-lived connections (127.0.1.1 to 127.0.1.250).
  let nextAddress = 0;
  const address = (): string => `127.0.1.${1 + (nextAddress++ % 250)}`;

  const str = (n: number): string => {
    const chars = 'ab\u0000\u202e\u200b🎉 <>"\'\\/%{}[]';
    let s = '';
    while (s.length < n) s += chars[Math.floor(rand() * chars.length)];
    return s.slice(0, n);
  };
  const junk = (): unknown =>
    pick([
      () => Math.floor(rand() * 1e9) - 5e8,
      () => str(1 + Math.floor(rand() * 40)),
      () => null,
      () => [1, 'a', null, { a: [] }],
      () => true,
      () => ({ room: 7, name: ['x'], to: {}, data: 'offer', locked: 'yes', id: 3, username: 5 }),
      () => ({ __proto__: { ok: true }, constructor: 'x' }),
      () => ({ username: 'u', room: 5, data: { type: 'offer', sdp: 5 } }),
      () => NaN,
    ])();
  const deep = (depth: number): unknown => {
    let v: unknown = 'bottom';
    for (let i = 0; i < depth; i++) v = rand() < 0.5 ? { a: v } : [v];
    return v;
  };
  // Deep JSON texts, built once: arrays (2 bytes a level) fit 100,000 levels in one frame.
  const deepTexts = new Map<number, string>();
  const deepText = (levels: number): string => {
    let t = deepTexts.get(levels);
    if (t === undefined) {
      t = '['.repeat(levels) + ']'.repeat(levels);
      deepTexts.set(levels, t);
    }
    return t;
  };
  const deepLevels = (): number =>
    pick([deepMax, deepMax, Math.floor(deepMax / 2), 33 + Math.floor(rand() * 2_000), 10_000]);
  const wideText = (n: number): string => `[${'0,'.repeat(n - 1)}0]`;

  const plausibleParley = (event: string): unknown => {
    const id = pick(ids);
    switch (event) {
      case 'join':
        return {
          room: pick(rooms),
          name: str(1 + Math.floor(rand() * 30)) || 'n',
          ...(rand() < 0.2 ? { password: 'pw' } : {}),
        };
      case 'signal':
        return rand() < 0.5
          ? { to: id, data: { kind: 'description', description: { type: pick(['offer', 'answer']), sdp } } }
          : {
              to: id,
              data: {
                kind: 'candidate',
                candidate:
                  rand() < 0.2
                    ? null
                    : { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 },
              },
            };
      case 'media-state':
        return { audio: rand() < 0.5, video: rand() < 0.5 };
      case 'room-lock':
        return { locked: rand() < 0.5 };
      case 'room-password':
        return { password: rand() < 0.5 ? null : 'pw' };
      case 'room-lobby':
        return { enabled: rand() < 0.3 };
      case 'participant-mute':
        return rand() < 0.5 ? {} : { id };
      case 'leave':
      case 'room-end':
        return {};
      default:
        return { id };
    }
  };
  const plausibleSeed = (event: string): unknown => {
    const room = pick(rooms);
    if (event === 'join') return { username: str(1 + Math.floor(rand() * 20)), room };
    const data =
      rand() < 0.5
        ? { type: pick(['offer', 'answer']), sdp }
        : { type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0' } };
    return { username: 'u', room, data: rand() < 0.2 ? { ...data, extra: str(20) } : data };
  };

  /** Send one event with an acknowledgement and count the answer. */
  const send = (socket: Socket, nsp: FuzzNamespace, kind: FuzzKind, event: string, payload: unknown): Promise<void> => {
    counts[kind].sent++;
    perNamespace[nsp]++;
    return new Promise((resolve) => {
      socket
        .timeout(5_000)
        .emit(event, payload, (err: Error | null, reply?: { ok?: boolean; self?: { id: string } }) => {
          if (err) counts[kind].cutOff++;
          else if (reply?.ok === true) {
            counts[kind].accepted++;
            if (reply.self?.id) ids.push(reply.self.id);
          } else counts[kind].refused++;
          resolve();
        });
    });
  };

  /**
   * Open a connection of its own, write frames that should cost it the connection, and count
   * whether the server closed it (cutOff) or ignored the frames (refused). Nothing may be accepted.
   */
  const lethal = async (nsp: FuzzNamespace, kind: FuzzKind, write: (s: Socket) => void): Promise<void> => {
    counts[kind].sent++;
    perNamespace[nsp]++;
    let socket: Socket | null = null;
    for (let attempt = 0; socket === null; attempt++) {
      try {
        socket = await connectSocket(url, nsp, address());
      } catch (err) {
        if (attempt >= 3) throw err;
      }
    }
    write(socket);
    // The server handles a connection's packets in order: a probe that asks for an answer is
    // answered only if the frames before it left the connection open (they were ignored).
    const closed = await new Promise<boolean>((resolve) => {
      socket.timeout(PROBE_TIMEOUT_MS).emit('fuzz-probe', {}, (err: Error | null) => resolve(err !== null));
    });
    if (closed) {
      disconnects++;
      counts[kind].cutOff++;
    } else counts[kind].refused++;
    socket.close();
  };

  /** One lethal frame of a random kind for `nsp`. */
  const lethalFrame = (nsp: FuzzNamespace): Promise<void> => {
    const prefix = nsp === '/' ? '' : '/parley,';
    const event = pick(nsp === '/' ? SEED_EVENTS : PARLEY_EVENTS);
    const r = rand();
    if (r < 0.4) {
      const levels = deepLevels();
      const packet = pick([
        () => `2${prefix}["${event}",${deepText(levels)}]`,
        () =>
          nsp === '/'
            ? `2["data",{"username":"u","room":"fuzz-a","data":{"type":"offer","sdp":"v","x":${deepText(levels)}}}]`
            : `2/parley,["signal",{"to":"x","data":{"kind":"candidate","candidate":${deepText(levels)}}}]`,
        () => `3${prefix}${Math.floor(rand() * 100)}[${deepText(levels)}]`,
      ])();
      if (rand() < 0.3) {
        // As a binary event: the placeholder packet is deep, one attachment follows.
        return lethal(nsp, 'deep-frame', (s) => {
          writePacket(s, `51-${prefix}["${event}",{"_placeholder":true,"num":0},${deepText(levels)}]`);
          writePacket(s, Buffer.from([1, 2, 3]));
        });
      }
      return lethal(nsp, 'deep-frame', (s) => writePacket(s, packet));
    }
    if (r < 0.55) {
      const n = 4_097 + Math.floor(rand() * 60_000);
      return lethal(nsp, 'wide', (s) => writePacket(s, `2${prefix}["${event}",${wideText(n)}]`));
    }
    if (r < 0.7) {
      return lethal(nsp, 'binary', (s) => {
        const variant = Math.floor(rand() * 4);
        if (variant === 0) {
          // More attachments than the bound.
          writePacket(s, `53-${prefix}["${event}",{"_placeholder":true,"num":0}]`);
          for (let i = 0; i < 3; i++) writePacket(s, Buffer.alloc(16, i));
        } else if (variant === 1) {
          // Attachments larger together than a frame.
          writePacket(s, `52-${prefix}["${event}",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`);
          writePacket(s, Buffer.alloc(opts.frameMax - 1024));
          writePacket(s, Buffer.alloc(opts.frameMax - 1024));
        } else if (variant === 2) {
          // A placeholder pointing past the attachments.
          writePacket(s, `51-${prefix}["${event}",{"_placeholder":true,"num":9}]`);
          writePacket(s, Buffer.from([1]));
        } else {
          // A binary frame when no binary packet is announced.
          writePacket(s, Buffer.from(str(64)));
        }
      });
    }
    if (r < 0.78) {
      return lethal(nsp, 'oversized-frame', (s) =>
        writePacket(s, `2${prefix}["${event}",{"x":"${'y'.repeat(opts.frameMax + 1024)}"}]`),
      );
    }
    if (r < 0.88) {
      // Not a Socket.IO packet at all.
      const garbage = pick([
        '{"not":"a packet"}',
        `2${prefix}["join",`,
        '999',
        `2${prefix}${str(50)}`,
        '\u0000\u0001',
        `0${prefix}{"token":${deepText(100)}}`,
        `2${prefix}["disconnect"]`,
        `2${prefix}[null]`,
      ]);
      return lethal(nsp, 'raw-garbage', (s) => writePacket(s, garbage));
    }
    // Raw Engine.IO frames: unknown types, a close, an upgrade on an upgraded transport, a stray
    // probe, an empty frame, a binary frame; most close the connection, some are ignored.
    const frame = pick<string | Buffer>([
      '7',
      '9xyz',
      '1',
      '5',
      '2probe',
      '3',
      '6',
      '',
      Buffer.from([0xff, 0, 1]),
      `4${'['.repeat(50_000)}`,
    ]);
    return lethal(nsp, 'raw-engine', (s) => writeFrame(s, frame));
  };

  // Phase 1: random events from several long-lived sockets per namespace, in windows (order
  // within a socket is kept), with the lethal frames on connections of their own beside them.
  const workers: Array<{ nsp: FuzzNamespace; n: number }> = [];
  const perWorker = Math.ceil(opts.events / (opts.sockets * namespaces.length));
  let left = opts.events;
  for (const nsp of namespaces)
    for (let i = 0; i < opts.sockets; i++) {
      const n = Math.min(perWorker, left);
      left -= n;
      workers.push({ nsp, n });
    }
  const lethalRunning = new Set<Promise<void>>();
  const worker = async ({ nsp, n }: { nsp: FuzzNamespace; n: number }): Promise<void> => {
    let socket = await connectSocket(url, nsp, address());
    const events = nsp === '/' ? SEED_EVENTS : PARLEY_EVENTS;
    const plausible = nsp === '/' ? plausibleSeed : plausibleParley;
    let sent = 0;
    while (sent < n) {
      if (socket.disconnected) {
        disconnects++;
        socket = await connectSocket(url, nsp, address());
      }
      const window: Array<Promise<void>> = [];
      for (let i = 0; i < 50 && sent < n; i++, sent++) {
        const r = rand();
        if (r < 0.02) {
          // At most LETHAL_PARALLEL such connections at a time; the worker waits its turn here.
          while (lethalRunning.size >= LETHAL_PARALLEL) await Promise.race(lethalRunning);
          const p: Promise<void> = lethalFrame(nsp).finally(() => lethalRunning.delete(p));
          lethalRunning.add(p);
        } else if (r < 0.38) {
          const event = pick(events);
          window.push(send(socket, nsp, 'out-of-order', event, plausible(event)));
        } else if (r < 0.6) window.push(send(socket, nsp, 'wrong-type', pick(events), junk()));
        else if (r < 0.72) {
          const name = pick([
            '__proto__',
            'constructor',
            'toString',
            'hasOwnProperty',
            'ready',
            'data',
            'join',
            'signal',
            'x'.repeat(300),
            str(8),
          ]);
          window.push(send(socket, nsp, 'unknown-event', name, junk()));
        } else if (r < 0.78)
          // Deep but within the packet bound: the schema refuses it.
          window.push(send(socket, nsp, 'deep-object', pick(events), deep(1 + Math.floor(rand() * 28))));
        else if (r < 0.84) {
          // Wide but within the packet bound.
          const n = 1_000 + Math.floor(rand() * 3_000);
          const payload = pick([
            () => Array.from({ length: n }, (_, i) => i),
            () => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 0])),
            () => ({
              username: 'u',
              room: 'fuzz-a',
              data: { type: 'offer', sdp, ...Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 0])) },
            }),
          ])();
          window.push(send(socket, nsp, 'wide', pick(events), payload));
        } else if (r < 0.91) {
          const buf = Buffer.alloc(1 + Math.floor(rand() * 4096), Math.floor(rand() * 256));
          window.push(send(socket, nsp, 'binary', pick(events), rand() < 0.5 ? buf : { room: buf, name: buf }));
        } else {
          // One long field, the frame itself still under the transport's limit.
          // Longer than any field may be, and than what the seed relay accepts beside its fields.
          const long = str(20) + 'x'.repeat(SEED_EXTRA_MAX + Math.floor(rand() * (opts.frameMax / 4)));
          const payload = pick([
            { room: long, name: 'n', username: 'u' },
            { room: 'r', name: long, username: long },
            { to: 'x', data: { kind: 'description', description: { type: 'offer', sdp: long + long } } },
            { to: long, data: { kind: 'candidate', candidate: { candidate: long } } },
            { username: 'u', room: 'fuzz-a', data: { type: 'offer', sdp: long.padEnd(SDP_MAX + 100, 'x') } },
            { username: 'u', room: 'fuzz-a', data: { type: 'candidate', candidate: long + long } },
            { username: 'u', room: 'fuzz-a', data: { type: 'answer', sdp, note: long } },
            { password: long, id: long },
          ]);
          window.push(send(socket, nsp, 'huge-string', pick(events), payload));
        }
      }
      await Promise.all(window);
    }
    socket.close();
  };
  await Promise.all(workers.map(worker));
  await Promise.all(lethalRunning);

  // Phase 2: message floods over the per-connection limit, from other loopback addresses.
  const flooders: Array<[string, FuzzNamespace]> = [
    ['127.0.0.2', '/parley'],
    ['127.0.0.3', '/parley'],
    ['127.0.0.4', '/parley'],
    ['127.0.0.6', '/'],
    ['127.0.0.7', '/'],
  ].filter(([, nsp]) => namespaces.includes(nsp as FuzzNamespace)) as Array<[string, FuzzNamespace]>;
  const flood = async ([from, nsp]: [string, FuzzNamespace]): Promise<void> => {
    const socket = await connectSocket(url, nsp, from);
    const errors: unknown[] = [];
    socket.on('protocol-error', (e) => errors.push(e));
    const closed = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));
    for (let i = 0; i < opts.floodSize; i++) {
      counts['message-flood'].sent++;
      perNamespace[nsp]++;
      if (nsp === '/parley') socket.emit('media-state', { audio: true, video: i % 2 === 0 });
      else socket.emit('data', { username: 'f', room: 'flood', data: { type: 'offer', sdp } });
    }
    await Promise.race([closed, new Promise((r) => setTimeout(r, 5_000))]);
    counts['message-flood'].refused += errors.length;
    if (socket.disconnected) {
      disconnects++;
      counts['message-flood'].cutOff++;
    }
    socket.close();
  };
  await Promise.all(flooders.map(flood));

  // Phase 3: a connection flood from one address: the server refuses it at the handshake.
  const open: Socket[] = [];
  for (let i = 0; i < opts.connectionFloodSize; i += 25) {
    const batch = Math.min(25, opts.connectionFloodSize - i);
    counts['connection-flood'].sent += batch;
    const results = await Promise.allSettled(
      Array.from({ length: batch }, (_, j) => connectSocket(url, namespaces[j % namespaces.length]!, '127.0.0.5')),
    );
    for (const r of results) {
      if (r.status === 'fulfilled') {
        open.push(r.value);
        counts['connection-flood'].accepted++;
      } else counts['connection-flood'].refused++;
    }
  }
  for (const s of open) s.close();

  const total = FUZZ_KINDS.reduce((n, k) => n + counts[k].sent, 0);
  return { counts, perNamespace, disconnects, floodSockets: flooders.length, total, ms: performance.now() - t0 };
}

/** The report as a markdown table. */
export function fuzzTable(report: FuzzReport): string {
  const rows = FUZZ_KINDS.map((k) => {
    const c = report.counts[k];
    return `| ${k} | ${c.sent} | ${c.refused} | ${c.accepted} | ${c.cutOff} |`;
  });
  const rate = report.total / (report.ms / 1000);
  return [
    '| kind | sent | refused | accepted | cut off |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows,
    `| **total** | ${report.total} | | | |`,
    `per namespace: /parley ${report.perNamespace['/parley']}, / ${report.perNamespace['/']}; ` +
      `server-closed connections: ${report.disconnects}; ` +
      `${(report.ms / 1000).toFixed(1)} s, ${rate.toFixed(0)} events/s`,
  ].join('\n');
}
