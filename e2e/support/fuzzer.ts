/**
 * A protocol fuzzer: several real Socket.IO clients send random, malformed, oversized and
 * out-of-order events to a Parley server, then flood it over its rate limits. It counts what it
 * sent and how the server answered, per kind. Bounded: it stops by itself after `events`.
 */
import { io, type Socket } from 'socket.io-client';

export const FUZZ_KINDS = [
  'out-of-order',
  'wrong-type',
  'unknown-event',
  'deep-object',
  'binary',
  'huge-string',
  'oversized-frame',
  'raw-garbage',
  'message-flood',
  'connection-flood',
] as const;
export type FuzzKind = (typeof FUZZ_KINDS)[number];

export interface FuzzCount {
  sent: number;
  /** Answered with `ok: false` or a protocol-error, or refused at the handshake. */
  refused: number;
  /** Answered with `ok: true` (valid events in a legal order). */
  accepted: number;
  /** No answer because the server closed the connection (frame too big, garbage, flood). */
  cutOff: number;
}

export interface FuzzReport {
  counts: Record<FuzzKind, FuzzCount>;
  /** Connections the server closed. */
  disconnects: number;
  total: number;
}

export interface FuzzOptions {
  /** Events to send in the random phase (the floods come on top). */
  events: number;
  sockets: number;
  seed?: number;
  /** Frame limit of the server (bytes); oversized frames are just above it. */
  frameMax: number;
  /** Messages one flooding socket sends at once. */
  floodSize: number;
  /** Connections the connection flood attempts (from its own loopback address). */
  connectionFloodSize: number;
}

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

const EVENTS = [
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

const sdp = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';

function connectSocket(url: string, localAddress?: string): Promise<Socket> {
  const socket = io(`${url}/parley`, {
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

export async function fuzz(url: string, opts: FuzzOptions): Promise<FuzzReport> {
  const rand = rng(opts.seed ?? 0x9a41e7);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const counts = Object.fromEntries(
    FUZZ_KINDS.map((k) => [k, { sent: 0, refused: 0, accepted: 0, cutOff: 0 }]),
  ) as Record<FuzzKind, FuzzCount>;
  let disconnects = 0;
  const ids: string[] = ['nobody', 'x'.repeat(64)];
  const rooms = ['fuzz-a', 'fuzz-b', 'fuzz-c'];

  const str = (n: number): string => {
    const chars = 'ab\u0000\u202e\u200b🎉 <>"\'\\/%{}';
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
      () => ({ room: 7, name: ['x'], to: {}, data: 'offer', locked: 'yes', id: 3 }),
      () => ({ __proto__: { ok: true }, constructor: 'x' }),
      () => NaN,
    ])();
  const deep = (depth: number): unknown => {
    let v: unknown = 'bottom';
    for (let i = 0; i < depth; i++) v = rand() < 0.5 ? { a: v } : [v];
    return v;
  };
  const plausible = (event: string): unknown => {
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

  /** Send one event with an acknowledgement and count the answer. */
  const send = (socket: Socket, kind: FuzzKind, event: string, payload: unknown): Promise<void> => {
    counts[kind].sent++;
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

  // Phase 1: random events from several sockets, in windows (order within a socket is kept).
  const perSocket = Math.ceil(opts.events / opts.sockets);
  const worker = async (n: number): Promise<void> => {
    let socket = await connectSocket(url);
    let sent = 0;
    while (sent < n) {
      if (socket.disconnected) {
        disconnects++;
        socket = await connectSocket(url);
      }
      const window: Array<Promise<void>> = [];
      for (let i = 0; i < 50 && sent < n; i++, sent++) {
        const r = rand();
        if (r < 0.35) {
          const event = pick(EVENTS);
          window.push(send(socket, 'out-of-order', event, plausible(event)));
        } else if (r < 0.6) window.push(send(socket, 'wrong-type', pick(EVENTS), junk()));
        else if (r < 0.75) {
          const name = pick([
            '__proto__',
            'constructor',
            'toString',
            'hasOwnProperty',
            'ready',
            'data',
            'x'.repeat(300),
            str(8),
          ]);
          window.push(send(socket, 'unknown-event', name, junk()));
        } else if (r < 0.8)
          window.push(send(socket, 'deep-object', pick(EVENTS), deep(500 + Math.floor(rand() * 1500))));
        else if (r < 0.9) {
          const buf = Buffer.alloc(1 + Math.floor(rand() * 4096), Math.floor(rand() * 256));
          window.push(send(socket, 'binary', pick(EVENTS), rand() < 0.5 ? buf : { room: buf, name: buf, data: buf }));
        } else if (r < 0.99) {
          // One long field, the frame itself still under the transport's limit.
          const long = str(20) + 'x'.repeat(1_000 + Math.floor(rand() * (opts.frameMax / 4)));
          const event = pick(EVENTS);
          const payload = pick([
            { room: long, name: 'n' },
            { room: 'r', name: long },
            { to: 'x', data: { kind: 'description', description: { type: 'offer', sdp: long + long } } },
            { to: long, data: { kind: 'candidate', candidate: { candidate: long } } },
            { password: long, id: long },
          ]);
          window.push(send(socket, 'huge-string', event, payload));
        } else if (r < 0.9945) {
          window.push(send(socket, 'oversized-frame', 'signal', { to: 'x', data: 'y'.repeat(opts.frameMax + 1024) }));
        } else {
          // Not a Socket.IO packet at all, written straight onto the Engine.IO connection.
          counts['raw-garbage'].sent++;
          const garbage = pick([
            '4{"not":"a packet"}',
            '42/parley,["join",',
            '9999',
            '42/parley,' + str(50),
            '\u0000\u0001',
          ]);
          (socket.io.engine as unknown as { write(d: string): void }).write(garbage);
          window.push(
            new Promise((resolve) => setTimeout(resolve, 20)).then(() => {
              if (socket.disconnected) counts['raw-garbage'].cutOff++;
              else counts['raw-garbage'].refused++;
            }),
          );
        }
      }
      await Promise.all(window);
    }
    socket.close();
  };
  await Promise.all(
    Array.from({ length: opts.sockets }, (_, i) =>
      worker(i === 0 ? opts.events - perSocket * (opts.sockets - 1) : perSocket),
    ),
  );

  // Phase 2: message floods over the per-connection limit, from another loopback address.
  const flood = async (address: string): Promise<void> => {
    const socket = await connectSocket(url, address);
    const errors: unknown[] = [];
    socket.on('protocol-error', (e) => errors.push(e));
    const closed = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));
    for (let i = 0; i < opts.floodSize; i++) {
      counts['message-flood'].sent++;
      socket.emit('media-state', { audio: true, video: i % 2 === 0 });
    }
    await Promise.race([closed, new Promise((r) => setTimeout(r, 5_000))]);
    counts['message-flood'].refused += errors.length;
    if (socket.disconnected) {
      disconnects++;
      counts['message-flood'].cutOff++;
    }
    socket.close();
  };
  await Promise.all(['127.0.0.2', '127.0.0.3', '127.0.0.4'].map(flood));

  // Phase 3: a connection flood from one address: the server refuses it at the handshake.
  const open: Socket[] = [];
  for (let i = 0; i < opts.connectionFloodSize; i += 25) {
    const batch = Math.min(25, opts.connectionFloodSize - i);
    counts['connection-flood'].sent += batch;
    const results = await Promise.allSettled(Array.from({ length: batch }, () => connectSocket(url, '127.0.0.5')));
    for (const r of results) {
      if (r.status === 'fulfilled') {
        open.push(r.value);
        counts['connection-flood'].accepted++;
      } else counts['connection-flood'].refused++;
    }
  }
  for (const s of open) s.close();

  const total = FUZZ_KINDS.reduce((n, k) => n + counts[k].sent, 0);
  return { counts, disconnects, total };
}

/** The report as a markdown table. */
export function fuzzTable(report: FuzzReport): string {
  const rows = FUZZ_KINDS.map((k) => {
    const c = report.counts[k];
    return `| ${k} | ${c.sent} | ${c.refused} | ${c.accepted} | ${c.cutOff} |`;
  });
  return [
    '| kind | sent | refused | accepted | cut off |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows,
    `| **total** | ${report.total} | | | |`,
    `server-closed connections: ${report.disconnects}`,
  ].join('\n');
}
