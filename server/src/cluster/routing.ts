import { errorMessages, type ErrorId } from '@parley/protocol';
import type { Socket } from 'socket.io';
import type { ClientId } from '../limits/ClientLimits';
import { dropTransport, sendBacklog, SEND_BUFFER_MAX_PACKETS } from '../limits/connectionBounds';
import { FedSocket, type LocalSocket } from '../signaling/ClientSocket';
import type { Cluster } from './Cluster';

type Ack = (reply: unknown) => void;

/**
 * Messages between servers, on the receiver's channel. `vs` names one client socket across the
 * cluster: the edge socket's id, then `#` and a counter (a socket that moves to another room's
 * home gets a new one, so late messages of the old home never reach the new connection).
 */
export type BusMessage =
  // edge -> home
  | { t: 'open'; vs: string; from: string; client: ClientId; address: string }
  | { t: 'ev'; vs: string; from: string; e: string; a: unknown[]; k?: number }
  | { t: 'close'; vs: string; reason: string }
  // home -> edge
  | { t: 'ack'; vs: string; k: number; r: unknown }
  | { t: 'emit'; vs: string; e: string; p: unknown }
  | { t: 'disc'; vs: string }
  | { t: 'drop'; vs: string }
  | { t: 'cut'; vs: string };

/** Most bytes queued toward an edge's client before it counts as not reading (as on one server). */
const EDGE_BACKLOG_MAX_BYTES = 4 * 1024 * 1024;

/**
 * A client socket of another server, as the connection in the room's home sees it: what the
 * connection emits travels to the socket's server, which delivers it.
 */
export class RemoteSocket extends FedSocket {
  readonly #gone: Array<() => void> = [];

  constructor(
    readonly cluster: Cluster,
    id: string,
    readonly edge: string,
    client: ClientId,
    address: string,
  ) {
    super(id, client, address);
  }

  onGone(fn: () => void): void {
    this.#gone.push(fn);
  }

  receive(msg: Extract<BusMessage, { t: 'ev' }>): void {
    const args = Array.isArray(msg.a) ? [...msg.a] : [];
    if (typeof msg.k === 'number') {
      const k = msg.k;
      args.push((reply: unknown) => this.cluster.post(this.edge, { t: 'ack', vs: this.id, k, r: reply }));
    }
    this.deliver(String(msg.e), args);
  }

  emit(event: string, payload: unknown): void {
    if (!this.disconnected) this.cluster.post(this.edge, { t: 'emit', vs: this.id, e: event, p: payload });
  }

  disconnect(): void {
    this.cluster.post(this.edge, { t: 'disc', vs: this.id });
    this.closed('server namespace disconnect');
  }

  drop(): void {
    this.cluster.post(this.edge, { t: 'drop', vs: this.id });
    this.closed('transport close');
  }

  cut(): void {
    this.cluster.post(this.edge, { t: 'cut', vs: this.id });
    this.closed('transport close');
  }

  /** The edge checks its own socket's backlog before delivering. */
  backlog(): { bytes: number; packets: number } {
    return { bytes: 0, packets: 0 };
  }

  override closed(reason: string): void {
    if (this.disconnected) return;
    super.closed(reason);
    for (const fn of this.#gone) fn();
  }
}

/**
 * One client socket of this server: its events go to this server's own connection, or, once it
 * joins a room another server holds, to that server.
 */
export class EdgeRoute {
  /** The server holding the room this socket's events go to; null while they stay here. */
  home: string | null = null;
  #vs = '';
  #serial = 0;
  /** True from a successful join until leave, removal or replacement. */
  #inRoom = false;
  #local: { readonly inRoom: boolean } | null = null;
  readonly #acks = new Map<number, { ack: Ack; event: string }>();
  #nextAck = 0;
  /** Events wait here while a join finds the room's home. */
  #chain: Promise<void> | null = null;

  constructor(
    readonly cluster: Cluster,
    readonly socket: Socket,
    readonly local: LocalSocket,
    readonly makeLocal: () => { readonly inRoom: boolean },
  ) {
    socket.onAny((event: string, ...args: unknown[]) => this.#receive(event, args));
    socket.on('disconnect', (reason: string) => this.#close(reason));
  }

  #receive(event: string, args: unknown[]): void {
    const room = event === 'join' ? roomOf(args[0]) : null;
    if (this.#chain === null && room === null) return this.#dispatch(event, args);
    // A join (and whatever comes after it) waits until the room's home is known.
    const step = async (): Promise<void> => {
      if (room !== null && !this.#joined() && !(await this.#place(room))) {
        return this.#refuse('cluster-unavailable', ackOf(args), event);
      }
      this.#dispatch(event, args);
    };
    const next = (this.#chain ?? Promise.resolve()).then(step);
    this.#chain = next;
    void next.then(() => {
      if (this.#chain === next) this.#chain = null;
    });
  }

  /** Whether the client is in a room now (a join then goes where it is, to be refused there). */
  #joined(): boolean {
    return this.home ? this.#inRoom : (this.#local?.inRoom ?? false);
  }

  /** Find the home of `room` and point this socket's events at it; false when it cannot be found. */
  async #place(room: string): Promise<boolean> {
    let home: string;
    try {
      home = await this.cluster.homeFor(room);
    } catch {
      return false;
    }
    if (home === this.cluster.id) {
      this.#leaveHome('client namespace disconnect');
      return true;
    }
    if (home === this.home) return true;
    this.#leaveHome('client namespace disconnect');
    this.home = home;
    this.#vs = `${this.socket.id}#${++this.#serial}`;
    this.cluster.post(home, {
      t: 'open',
      vs: this.#vs,
      from: this.cluster.id,
      client: this.local.client,
      address: this.local.address,
    });
    return true;
  }

  #leaveHome(reason: string): void {
    this.#close(reason);
    for (const { ack } of this.#acks.values()) ack(unavailable());
    this.#acks.clear();
  }

  #dispatch(event: string, args: unknown[]): void {
    if (this.socket.disconnected) return;
    const ack = ackOf(args);
    if (!this.home) {
      this.#local ??= this.makeLocal();
      this.local.deliver(event, args);
      return;
    }
    const payload = ack ? args.slice(0, -1) : [...args];
    // JSON has no undefined: an event sent without a payload must arrive without one.
    while (payload.length > 0 && payload[payload.length - 1] === undefined) payload.pop();
    let k: number | undefined;
    if (ack) {
      k = ++this.#nextAck;
      this.#acks.set(k, { ack, event });
    }
    const home = this.home;
    void this.cluster
      .send(home, { t: 'ev', vs: this.#vs, from: this.cluster.id, e: event, a: payload, ...(k ? { k } : {}) })
      .then((ok) => {
        if (ok || k === undefined) return;
        const pending = this.#acks.get(k);
        this.#acks.delete(k);
        pending?.ack(unavailable());
      });
  }

  /** Replies from the home: follow whether the socket is in a room. */
  #follow(event: string, reply: unknown): void {
    const ok = (reply as { ok?: unknown } | null)?.ok === true;
    if (event === 'join' && ok) this.#inRoom = true;
    if (event === 'leave' && ok) this.#inRoom = false;
  }

  #refuse(error: ErrorId, ack: Ack | undefined, event: string): void {
    if (ack) ack({ ok: false, error, message: errorMessages[error] });
    else this.socket.emit('protocol-error', { error, message: errorMessages[error], event });
  }

  /** A message from the room's home for this socket. */
  fromHome(msg: BusMessage): void {
    if (msg.vs !== this.#vs || !this.home) return;
    switch (msg.t) {
      case 'ack': {
        const pending = this.#acks.get(msg.k);
        if (!pending) return;
        this.#acks.delete(msg.k);
        this.#follow(pending.event, msg.r);
        pending.ack(msg.r);
        return;
      }
      case 'emit': {
        if (msg.e === 'removed' || msg.e === 'replaced') this.#inRoom = false;
        const backlog = sendBacklog(this.socket);
        if (backlog.bytes > EDGE_BACKLOG_MAX_BYTES || backlog.packets > SEND_BUFFER_MAX_PACKETS) {
          this.#close('transport close');
          dropTransport(this.socket);
          return;
        }
        this.socket.emit(msg.e, msg.p);
        return;
      }
      case 'disc':
        this.home = null;
        this.socket.disconnect(true);
        return;
      case 'drop':
        this.home = null;
        dropTransport(this.socket);
        return;
      case 'cut':
        this.#cut();
        return;
      default:
        return;
    }
  }

  /** The room's home died or handed the room over: the client reconnects and rejoins. */
  homeGone(): void {
    this.#cut();
  }

  /** Close the transport after what is queued: the client reconnects and rejoins where the room is now. */
  #cut(): void {
    this.#close('transport close');
    this.socket.conn.close();
  }

  #close(reason: string): void {
    if (this.home) this.cluster.post(this.home, { t: 'close', vs: this.#vs, reason });
    this.home = null;
  }
}

function ackOf(args: unknown[]): Ack | undefined {
  const last = args[args.length - 1];
  return typeof last === 'function' ? (last as Ack) : undefined;
}

function roomOf(payload: unknown): string | null {
  const room = (payload as { room?: unknown } | null)?.room;
  return typeof room === 'string' && room.length > 0 && room.length <= 256 ? room : null;
}

function unavailable(): { ok: false; error: ErrorId; message: string } {
  return { ok: false, error: 'cluster-unavailable', message: errorMessages['cluster-unavailable'] };
}
