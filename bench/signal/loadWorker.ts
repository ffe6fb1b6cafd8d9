/**
 * One load-generator process of the signaling benchmark. It opens real socket.io-client
 * connections to the server under test, joins them to rooms, exchanges signals at a fixed
 * rate and reports timings to its parent over IPC. Runs as its own process so the server's
 * CPU and memory are measured alone. Every loop is bounded; the worker exits on `close`.
 */
import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { NO_SLOT, type FromWorker, type RoomPlan, type Target, type ToWorker } from './messages';

interface Client {
  socket: Socket;
  /** Place in the connect message's rooms and their members, in order. */
  slot: number;
  room: RoomPlan;
  /** Position in the room's member list. */
  index: number;
  /** Own id in the protocol (Parley participant id, bare relay socket id). */
  id: string;
  /** Ids of the others in the room (addressed protocols). */
  peers: string[];
  nextPeer: number;
  joined: boolean;
  closing: boolean;
}

const clients: Client[] = [];
/** Slot of each joined client by its id in the protocol, to name the sender of a delivery. */
const slotById = new Map<string, number>();
let readies = 0;
let delivered = 0;
let dropped = 0;
let refused = 0;
let latencies = new Float64Array(1 << 16);
let senders = new Uint32Array(1 << 16);
let receivers = new Uint32Array(1 << 16);
let latencyCount = 0;

function send(msg: FromWorker): void {
  process.send?.(msg);
}

function grow<T extends Float64Array | Uint32Array>(array: T, make: (length: number) => T): T {
  const grown = make(array.length * 2);
  grown.set(array);
  return grown;
}

function recordLatency(ms: number, sender: number, receiver: number): void {
  if (latencyCount === latencies.length) {
    latencies = grow(latencies, (n) => new Float64Array(n));
    senders = grow(senders, (n) => new Uint32Array(n));
    receivers = grow(receivers, (n) => new Uint32Array(n));
  }
  senders[latencyCount] = sender;
  receivers[latencyCount] = receiver;
  latencies[latencyCount++] = ms;
}

/**
 * A plausible ICE candidate line carrying the send time in its foundation field, so the
 * receiver can compute the relay latency from the payload alone (same process, same clock).
 */
function candidateLine(port: number): string {
  const sentAt = performance.now().toFixed(3);
  return `candidate:${sentAt} 1 udp 2122260223 127.0.0.1 ${port} typ host generation 0 ufrag bnch network-id 1`;
}

function sentAtOf(candidate: unknown): number {
  if (typeof candidate !== 'string') return NaN;
  return Number(candidate.slice(10, candidate.indexOf(' ')));
}

function onDelivery(candidate: unknown, receiver: Client, from?: unknown): void {
  delivered++;
  const sentAt = sentAtOf(candidate);
  const sender = typeof from === 'string' ? (slotById.get(from) ?? NO_SLOT) : NO_SLOT;
  if (Number.isFinite(sentAt)) recordLatency(performance.now() - sentAt, sender, receiver.slot);
}

const namespaces: Record<Target, string> = { parley: '/parley', seed: '/', bare: '/', 'bare-seed': '/' };
const isSeed = (t: Target): boolean => t === 'seed' || t === 'bare-seed';

/** Open one client and join its room; resolves with the time it took, rejects with a reason. */
function openClient(
  url: string,
  target: Target,
  room: RoomPlan,
  index: number,
  slot: number,
  timeoutMs: number,
  transports: string[],
): Promise<number> {
  const started = performance.now();
  const socket = io(url + namespaces[target], {
    transports,
    forceNew: true,
    reconnection: false,
    timeout: timeoutMs,
  });
  const client: Client = {
    socket,
    slot,
    room,
    index,
    id: '',
    peers: [],
    nextPeer: index,
    joined: false,
    closing: false,
  };
  clients.push(client);
  socket.on('disconnect', () => {
    if (client.joined && !client.closing) dropped++;
  });
  socket.on('protocol-error', () => refused++);
  switch (target) {
    case 'parley':
      socket.on('participant-joined', (m: { participant: { id: string } }) => client.peers.push(m.participant.id));
      socket.on('participant-left', (m: { id: string }) => {
        client.peers = client.peers.filter((p) => p !== m.id);
      });
      socket.on('signal', (m: { from?: unknown; data: { candidate?: { candidate?: unknown } } }) =>
        onDelivery(m.data.candidate?.candidate, client, m.from),
      );
      break;
    case 'seed':
    case 'bare-seed':
      socket.on('ready', () => readies++);
      socket.on('data', (m: { candidate?: { candidate?: unknown } }) => onDelivery(m.candidate?.candidate, client));
      break;
    case 'bare':
      socket.on('joined', (id: string) => client.peers.push(id));
      socket.on('left', (id: string) => {
        client.peers = client.peers.filter((p) => p !== id);
      });
      socket.on('signal', (m: { from?: unknown; data: { candidate?: { candidate?: unknown } } }) =>
        onDelivery(m.data.candidate?.candidate, client, m.from),
      );
      break;
  }

  return new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => fail('timeout'), timeoutMs);
    const fail = (reason: string): void => {
      clearTimeout(timer);
      client.closing = true;
      socket.disconnect();
      reject(new Error(reason));
    };
    const done = (): void => {
      clearTimeout(timer);
      client.joined = true;
      if (client.id) slotById.set(client.id, slot);
      resolve(performance.now() - started);
    };
    socket.once('connect_error', (err) => fail(`connect_error: ${err.message}`));
    socket.once('connect', () => {
      const name = `bench-${index}`;
      switch (target) {
        case 'parley':
          socket.emit(
            'join',
            { room: room.name, name, media: { audio: true, video: true } },
            (reply: { ok: boolean; error?: string; self?: { id: string }; participants?: Array<{ id: string }> }) => {
              if (!reply.ok || !reply.self) return fail(`join refused: ${reply.error ?? '?'}`);
              client.id = reply.self.id;
              client.peers.push(...(reply.participants ?? []).map((p) => p.id));
              done();
            },
          );
          break;
        case 'seed':
        case 'bare-seed':
          // The seed protocol's join has no acknowledgement: the socket counts as joined once
          // connected and `join` is sent (later events on the socket are handled after it).
          socket.emit('join', { username: name, room: room.name });
          done();
          break;
        case 'bare':
          socket.emit('join', room.name, (peers: string[]) => {
            client.id = socket.id ?? '';
            client.peers.push(...peers);
            done();
          });
          break;
      }
    });
  });
}

async function connectAll(msg: Extract<ToWorker, { type: 'connect' }>): Promise<void> {
  const jobs: Array<{ room: RoomPlan; index: number; url: string }> = [];
  for (const room of msg.rooms) {
    for (let i = 0; i < room.size; i++) {
      const url = msg.urls[room.servers?.[i] ?? 0];
      if (url === undefined) throw new RangeError(`room ${room.name}: member ${i} names no server in urls`);
      jobs.push({ room, index: i, url });
    }
  }
  const joinMs: number[] = [];
  const errors: Record<string, number> = {};
  let failed = 0;
  let nextJob = 0;
  const runOne = async (): Promise<void> => {
    while (nextJob < jobs.length) {
      const slot = nextJob++;
      const job = jobs[slot] as (typeof jobs)[number];
      try {
        joinMs.push(await openClient(job.url, msg.target, job.room, job.index, slot, msg.timeoutMs, msg.transports));
      } catch (err) {
        failed++;
        const reason = err instanceof Error ? err.message : String(err);
        errors[reason] = (errors[reason] ?? 0) + 1;
      }
    }
  };
  const lanes = msg.concurrency > 0 ? Math.min(msg.concurrency, jobs.length) : jobs.length;
  await Promise.all(Array.from({ length: lanes }, runOne));
  send({ type: 'connected', joinMs: Float64Array.from(joinMs), failed, errors });
}

/** Every joined client sends `rate` signals a second, spread evenly over each period. */
async function signalAll(msg: Extract<ToWorker, { type: 'signal' }>, target: Target): Promise<void> {
  const active = clients.filter((c) => c.joined && c.socket.connected);
  const periodMs = 1000 / msg.rate;
  const tickMs = 10;
  const slots = Math.max(1, Math.round(periodMs / tickMs));
  const bySlot: Client[][] = Array.from({ length: slots }, () => []);
  active.forEach((c, i) => bySlot[i % slots]?.push(c));
  let sent = 0;
  let expected = 0;
  delivered = 0;
  latencyCount = 0;
  const sendOne = (c: Client): void => {
    if (!c.socket.connected) return;
    const candidate = { candidate: candidateLine(50_000 + c.index), sdpMid: '0', sdpMLineIndex: 0 };
    if (isSeed(target)) {
      c.socket.emit('data', {
        username: `bench-${c.index}`,
        room: c.room.name,
        data: { type: 'candidate', candidate },
      });
      sent++;
      expected += c.room.size - 1;
      return;
    }
    if (c.peers.length === 0) return;
    const to = c.peers[c.nextPeer++ % c.peers.length] as string;
    c.socket.emit('signal', { to, data: { kind: 'candidate', candidate } });
    sent++;
    expected++;
  };
  const started = performance.now();
  const totalTicks = Math.round(msg.durationMs / tickMs);
  let done = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      // Catch up on ticks a busy event loop delayed, never beyond the planned total.
      const due = Math.min(totalTicks, Math.floor((performance.now() - started) / tickMs) + 1);
      for (; done < due; done++) for (const c of bySlot[done % slots] ?? []) sendOne(c);
      if (done >= totalTicks) {
        clearInterval(timer);
        resolve();
      }
    }, tickMs);
  });
  // Count deliveries until all arrived, or none arrived for `drainMs` (bounded either way).
  const drainUntil = performance.now() + 60_000;
  let lastCount = -1;
  let lastChange = performance.now();
  while (delivered < expected && performance.now() < drainUntil) {
    if (delivered !== lastCount) {
      lastCount = delivered;
      lastChange = performance.now();
    } else if (performance.now() - lastChange >= msg.drainMs) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  send({
    type: 'signalled',
    sent,
    expected,
    delivered,
    latencies: latencies.slice(0, latencyCount),
    senders: senders.slice(0, latencyCount),
    receivers: receivers.slice(0, latencyCount),
    dropped,
    refused,
  });
}

let target: Target = 'parley';
process.on('message', (msg: ToWorker) => {
  switch (msg.type) {
    case 'connect':
      target = msg.target;
      void connectAll(msg);
      break;
    case 'signal':
      void signalAll(msg, target);
      break;
    case 'report':
      send({ type: 'report', readies, dropped });
      break;
    case 'close':
      for (const c of clients) {
        c.closing = true;
        c.socket.disconnect();
      }
      send({ type: 'closed' });
      process.disconnect?.();
      setTimeout(() => process.exit(0), 200).unref();
      break;
  }
});
send({ type: 'ready' });
// Never outlive the parent.
process.on('disconnect', () => setTimeout(() => process.exit(0), 200).unref());
