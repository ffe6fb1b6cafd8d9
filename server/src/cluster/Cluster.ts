import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Socket } from 'socket.io';
import type { Logger } from '../logger';
import type { ClientSocket, LocalSocket } from '../signaling/ClientSocket';
import type { SignalingCluster } from '../signaling/ParleySignaling';
import { connectRedis, redactUrl } from './redis';
import { EdgeRoute, RemoteSocket, type BusMessage } from './routing';
import { CLAIM, RELEASE, RENEW, SAVE, SEED_JOIN } from './scripts';

/** How often a server beats and renews its rooms' leases. */
export const HEARTBEAT_MS = 5_000;
/** A server (and the lease of its rooms) is gone this long after its last beat. */
export const HEARTBEAT_TTL_MS = 15_000;
/**
 * After Redis comes back, rooms not held here are claimed only this much later: every server's
 * reconnect (backoff at most 2 s) re-asserts the leases of its rooms first, which a Redis that
 * restarted empty no longer has.
 */
export const RECOVERY_CLAIM_MS = 3_000;
/**
 * How long a room's state outlives its home: renewed with the lease, so it is there for the
 * server that takes the room over (its members rejoin within seconds), and gone a minute after
 * the room's last server, as a room's state goes with the room on one server.
 */
const STATE_TTL_MS = 60_000;
/** A room claimed here but never made (its join was refused early) is let go after this long. */
const UNUSED_CLAIM_MS = HEARTBEAT_TTL_MS;

const PREFIX = 'parley:';
const serverKey = (id: string): string => `${PREFIX}server:${id}`;
const homeKey = (room: string): string => `${PREFIX}home:${room}`;
const stateKey = (room: string): string => `${PREFIX}state:${room}`;
const seedKey = (room: string): string => `${PREFIX}seed:${room}`;
const busChannel = (id: string): string => `${PREFIX}bus:${id}`;

/** What the cluster needs from this server's rooms. */
export interface RoomHooks {
  /** The room's state to keep in Redis, or null when the room is gone here. */
  snapshot(room: string): unknown;
  /** A room this server now holds starts from the state its last home wrote. */
  restore(room: string, state: unknown): void;
  /** Another server holds the room now: let its participants reconnect there. */
  lost(room: string): void;
}

export interface ClusterHealth {
  state: 'up' | 'down';
  server: string;
  redis: string;
  /** Rooms this server holds. */
  rooms: number;
  /** Connections of other servers' sockets in rooms held here. */
  remoteConnections: number;
  /** This server's sockets whose room another server holds. */
  routedConnections: number;
  lastError?: string;
}

interface RedisWithScripts extends Redis {
  parleyClaim(
    home: string,
    state: string,
    self: string,
    ttl: number,
    prefix: string,
  ): Promise<[string, number, string?]>;
  parleyRenew(...args: Array<string | number>): Promise<number[]>;
  parleyRelease(home: string, state: string, self: string, dropState: string): Promise<number>;
  parleySave(home: string, state: string, self: string, json: string, ttl: number): Promise<number>;
  parleySeedJoin(key: string, socketId: string, self: string, max: number, prefix: string): Promise<number>;
}

/**
 * This server's place in a cluster of Parley servers sharing rooms through Redis (REDIS_URL).
 *
 * Every room has one home: the server that holds its members, lobby and host role in memory and
 * decides every join, host action and chat message of it (one writer, so two servers can never
 * both admit the last seat). The home is a lease in Redis, renewed while the room lives; the
 * room's state is written through to Redis after each change, so when its home dies another
 * server takes the room over from that state. A client's socket stays where the load balancer
 * put it: its events go to the room's home and the home's replies and events come back, over
 * one Redis channel per server (ordered: a reply never overtakes the events sent before it).
 */
export class Cluster implements SignalingCluster {
  readonly id = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  readonly #cmd: RedisWithScripts;
  readonly #sub: Redis;
  readonly #log: Logger;
  readonly #url: string;
  #hooks: RoomHooks | null = null;
  #make: ((socket: ClientSocket) => unknown) | null = null;
  /** Rooms held here (created, or claimed and about to be). */
  readonly #homes = new Set<string>();
  /** When each room held here was claimed. */
  readonly #claimedAt = new Map<string, number>();
  /** Sockets of other servers in rooms held here, by socket id. */
  readonly #remote = new Map<string, RemoteSocket>();
  /** This server's sockets whose events go to another server, by socket id. */
  readonly #routes = new Map<string, EdgeRoute>();
  readonly #saving = new Map<string, Promise<void>>();
  #timer: NodeJS.Timeout | null = null;
  #lastError: string | undefined;
  #closing = false;
  /** When the Redis connection last became ready, and whether it was a reconnect. */
  #readyAt = Date.now();
  #reconnected = false;

  private constructor(cmd: Redis, sub: Redis, url: string, log: Logger) {
    this.#cmd = cmd as RedisWithScripts;
    this.#sub = sub;
    this.#url = url;
    this.#log = log;
    cmd.defineCommand('parleyClaim', { numberOfKeys: 2, lua: CLAIM });
    cmd.defineCommand('parleyRenew', { lua: RENEW });
    cmd.defineCommand('parleyRelease', { numberOfKeys: 2, lua: RELEASE });
    cmd.defineCommand('parleySave', { numberOfKeys: 2, lua: SAVE });
    cmd.defineCommand('parleySeedJoin', { numberOfKeys: 1, lua: SEED_JOIN });
    for (const c of [cmd, sub]) {
      c.on('error', (err: Error) => {
        if (this.#lastError !== err.message) this.#log.warn({ err: err.message }, 'redis error');
        this.#lastError = err.message;
      });
    }
    // Back after an outage: beat, take the leases back and write every room's state again at
    // once (a Redis that restarted empty knows none of it).
    cmd.on('ready', () => {
      if (this.#closing) return;
      this.#readyAt = Date.now();
      this.#reconnected = true;
      this.#log.info('redis connection ready again');
      void this.#tick(true);
    });
    sub.on('messageBuffer', (_channel: Buffer, message: Buffer) => this.#onBus(message));
  }

  /** Connect to Redis (REDIS_URL), start beating, listen on this server's channel. */
  static async start(url: string, log: Logger): Promise<Cluster> {
    const cmd = await connectRedis(url, 'parley');
    let sub: Redis;
    try {
      sub = await connectRedis(url, 'parley-bus');
    } catch (err) {
      cmd.disconnect();
      throw err;
    }
    const cluster = new Cluster(cmd, sub, url, log.child({ subsystem: 'cluster' }));
    await sub.subscribe(busChannel(cluster.id));
    await cluster.#tick(false);
    cluster.#timer = setInterval(() => void cluster.#tick(false), HEARTBEAT_MS);
    cluster.#timer.unref();
    cluster.#log.info({ server: cluster.id, redis: redactUrl(url) }, 'joined the cluster');
    return cluster;
  }

  /**
   * Redis clients for Socket.IO's Redis adapter (seed namespace broadcasts). They outlive
   * `close()` (Socket.IO closes after the cluster hands its rooms over): `closeAdapter()` ends them.
   *
   * The adapter publishes and unsubscribes without awaiting the replies. While Redis is away
   * those commands wait in the offline queue and then time out or are dropped on close; each
   * would be an unhandled rejection. Every command of these clients therefore gets a handler that
   * records the failure for /readyz (a caller that awaits one still sees it fail).
   */
  adapterClients(): { pub: Redis; sub: Redis } {
    const make = (name: string): Redis => {
      const c = this.#sub.duplicate({ enableOfflineQueue: true, connectionName: name });
      c.on('error', (err: Error) => (this.#lastError = err.message));
      const send = c.sendCommand.bind(c);
      c.sendCommand = ((...args: Parameters<Redis['sendCommand']>) => {
        const reply = send(...args) as Promise<unknown>;
        reply.catch((err: Error) => (this.#lastError = err.message));
        return reply;
      }) as Redis['sendCommand'];
      this.#adapter.push(c);
      return c;
    };
    return { pub: make('parley-adapter-pub'), sub: make('parley-adapter-sub') };
  }

  readonly #adapter: Redis[] = [];

  /** End the adapter's connections: QUIT after their last commands (1 s at most), then close. */
  async closeAdapter(): Promise<void> {
    await Promise.all(
      this.#adapter.map(async (c) => {
        if (c.status === 'ready') {
          const bound = new Promise((r) => setTimeout(r, 1_000).unref());
          await Promise.race([c.quit().catch(() => undefined), bound]);
        }
        c.disconnect();
      }),
    );
  }

  get up(): boolean {
    return this.#cmd.status === 'ready';
  }

  get health(): ClusterHealth {
    return {
      state: this.up ? 'up' : 'down',
      server: this.id,
      redis: redactUrl(this.#url),
      rooms: this.#homes.size,
      remoteConnections: this.#remote.size,
      routedConnections: [...this.#routes.values()].filter((r) => r.home !== null).length,
      ...(this.#lastError && !this.up ? { lastError: this.#lastError } : {}),
    };
  }

  attachRooms(hooks: RoomHooks): void {
    this.#hooks = hooks;
  }

  /** The resume key all servers share: RESUME_SECRET if set everywhere, else one kept in Redis. */
  async sharedResumeKey(): Promise<Buffer> {
    const fresh = randomBytes(32).toString('base64');
    await this.#cmd.set(`${PREFIX}resume-key`, fresh, 'NX');
    const key = await this.#cmd.get(`${PREFIX}resume-key`);
    return Buffer.from(key ?? fresh, 'base64');
  }

  // ---- rooms --------------------------------------------------------------------------

  /** Which server holds `room`, claiming it for this one when nobody (alive) does. */
  async homeFor(room: string): Promise<string> {
    if (this.#homes.has(room) && !this.up) return this.id;
    const wait = this.#readyAt + RECOVERY_CLAIM_MS - Date.now();
    if (this.#reconnected && wait > 0 && !this.#homes.has(room)) await new Promise((r) => setTimeout(r, wait));
    const [home, fresh, state] = await this.#cmd.parleyClaim(
      homeKey(room),
      stateKey(room),
      this.id,
      HEARTBEAT_TTL_MS,
      `${PREFIX}server:`,
    );
    if (home === this.id) {
      if (fresh === 1 && !this.#homes.has(room) && state) {
        try {
          this.#hooks?.restore(room, JSON.parse(state));
          this.#log.info({ room }, 'took over a room from its last state');
        } catch (err) {
          this.#log.warn({ room, err: (err as Error).message }, 'could not read the room state; starting it empty');
        }
      }
      if (!this.#homes.has(room)) this.#claimedAt.set(room, Date.now());
      this.#homes.add(room);
    }
    return home;
  }

  /**
   * Something in a room held here changed: write its state. Writes are coalesced per room (one
   * per turn of the event loop); the promise resolves once the write is done (or failed).
   */
  roomChanged(room: string): Promise<void> | undefined {
    if (!this.#homes.has(room)) return undefined;
    let pending = this.#saving.get(room);
    if (!pending) {
      pending = new Promise<void>((resolve) => {
        setImmediate(() => {
          this.#saving.delete(room);
          void this.#save(room).finally(resolve);
        });
      });
      this.#saving.set(room, pending);
    }
    return pending;
  }

  async #save(room: string): Promise<void> {
    const state = this.#hooks?.snapshot(room);
    if (state === null || state === undefined || !this.up) return;
    try {
      await this.#cmd.parleySave(homeKey(room), stateKey(room), this.id, JSON.stringify(state), STATE_TTL_MS);
    } catch (err) {
      this.#lastError = (err as Error).message;
    }
  }

  /** The room ended here (its last member left): the lease goes, and its state with it. */
  roomEnded(room: string): void {
    this.#claimedAt.delete(room);
    if (!this.#homes.delete(room) || this.#closing) return;
    this.#cmd
      .parleyRelease(homeKey(room), stateKey(room), this.id, '1')
      .catch((err: Error) => (this.#lastError = err.message));
  }

  // ---- seed protocol rooms -------------------------------------------------------------

  /** A seed socket's place in `room` (at most `max` across the cluster); false when full. */
  async seedJoin(room: string, socketId: string, max: number): Promise<boolean> {
    return (await this.#cmd.parleySeedJoin(seedKey(room), socketId, this.id, max, `${PREFIX}server:`)) === 1;
  }

  seedLeave(room: string, socketId: string): void {
    this.#cmd.hdel(seedKey(room), socketId).catch((err: Error) => (this.#lastError = err.message));
  }

  // ---- signaling across servers ----------------------------------------------------------

  serve(make: (socket: ClientSocket) => unknown): void {
    this.#make = make;
  }

  route(socket: Socket, local: LocalSocket, makeLocal: () => { readonly inRoom: boolean }): void {
    const route = new EdgeRoute(this, socket, local, makeLocal);
    socket.on('disconnect', () => this.#routes.delete(socket.id));
    this.#routes.set(socket.id, route);
  }

  /** Send a bus message to another server (false when Redis is not reachable). */
  async send(to: string, msg: BusMessage): Promise<boolean> {
    if (!this.up) return false;
    try {
      await this.#cmd.publish(busChannel(to), JSON.stringify(msg));
      return true;
    } catch (err) {
      this.#lastError = (err as Error).message;
      return false;
    }
  }

  /** Same as `send`, without waiting: messages to one server keep their order. */
  post(to: string, msg: BusMessage): void {
    void this.send(to, msg);
  }

  #onBus(raw: Buffer): void {
    let msg: BusMessage;
    try {
      msg = JSON.parse(raw.toString('utf8')) as BusMessage;
    } catch {
      return;
    }
    switch (msg.t) {
      case 'open': {
        if (this.#remote.has(msg.vs) || !this.#make || this.#closing) return;
        const s = new RemoteSocket(this, msg.vs, msg.from, msg.client, msg.address);
        this.#remote.set(msg.vs, s);
        s.onGone(() => this.#remote.delete(msg.vs));
        this.#make(s);
        return;
      }
      case 'ev': {
        const target = this.#remote.get(msg.vs);
        if (target) return target.receive(msg);
        // A socket this server no longer serves (its server was taken for dead while cut off
        // from Redis): its client reconnects and rejoins instead of talking to nobody.
        if (typeof msg.from === 'string' && !this.#closing) this.post(msg.from, { t: 'cut', vs: msg.vs });
        return;
      }
      case 'close':
        this.#remote.get(msg.vs)?.closed(msg.reason);
        return;
      default:
        // Messages for an edge: a reply, an event, a disconnect for one of this server's sockets.
        this.#routes.get(msg.vs.split('#')[0]!)?.fromHome(msg);
    }
  }

  // ---- liveness ---------------------------------------------------------------------------

  async #tick(recovered: boolean): Promise<void> {
    if (this.#closing || !this.up) return;
    try {
      await this.#cmd.set(serverKey(this.id), String(Date.now()), 'PX', HEARTBEAT_TTL_MS);
      const rooms = [...this.#homes];
      if (rooms.length > 0) {
        const keys = rooms.flatMap((r) => [homeKey(r), stateKey(r)]);
        const lost = await this.#cmd.parleyRenew(keys.length, ...keys, this.id, HEARTBEAT_TTL_MS, STATE_TTL_MS);
        for (const i of lost) {
          const room = rooms[i - 1]!;
          this.#homes.delete(room);
          this.#log.warn({ room }, 'another server holds this room now; its participants reconnect there');
          this.#hooks?.lost(room);
        }
      }
      const now = Date.now();
      for (const room of [...this.#homes]) {
        const at = this.#claimedAt.get(room) ?? now;
        if (now - at > UNUSED_CLAIM_MS && this.#hooks?.snapshot(room) === null) {
          this.#homes.delete(room);
          this.#claimedAt.delete(room);
          await this.#cmd.parleyRelease(homeKey(room), stateKey(room), this.id, '0');
        }
      }
      if (recovered) for (const room of this.#homes) void this.#save(room);
      await this.#reapDeadServers();
    } catch (err) {
      this.#lastError = (err as Error).message;
    }
  }

  /**
   * Servers whose heartbeat expired are dead: their sockets in rooms held here leave (after
   * the usual grace), and this server's sockets whose room they held reconnect, so their next
   * join finds (or becomes) the room's new home.
   */
  async #reapDeadServers(): Promise<void> {
    // Just (re)connected: a live server may not have beaten since Redis came back.
    if (Date.now() - this.#readyAt < HEARTBEAT_TTL_MS) return;
    const others = new Set<string>();
    for (const s of this.#remote.values()) others.add(s.edge);
    for (const r of this.#routes.values()) if (r.home) others.add(r.home);
    others.delete(this.id);
    if (others.size === 0) return;
    const list = [...others];
    const alive = await this.#cmd
      .exists(...list.map(serverKey))
      .then(async (n) => (n === list.length ? list : this.#alive(list)));
    const dead = list.filter((id) => !alive.includes(id));
    if (dead.length === 0 || !this.up) return;
    this.#log.warn({ servers: dead }, 'servers stopped beating: their connections here are dropped');
    for (const s of [...this.#remote.values()]) if (dead.includes(s.edge)) s.closed('transport close');
    for (const r of [...this.#routes.values()]) if (r.home && dead.includes(r.home)) r.homeGone();
  }

  async #alive(ids: string[]): Promise<string[]> {
    const pipe = this.#cmd.pipeline();
    for (const id of ids) pipe.exists(serverKey(id));
    const res = (await pipe.exec()) ?? [];
    return ids.filter((_, i) => res[i]?.[1] === 1);
  }

  /**
   * Leave the cluster (shutdown): rooms held here are released with their state kept, so the
   * next server to see a join takes them over; sockets of other servers in those rooms are told
   * to reconnect.
   */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    if (this.#timer) clearInterval(this.#timer);
    if (this.up) {
      try {
        for (const room of this.#homes) await this.#save(room);
        for (const room of this.#homes) await this.#cmd.parleyRelease(homeKey(room), stateKey(room), this.id, '0');
        await this.#cmd.del(serverKey(this.id));
        for (const s of this.#remote.values()) await this.send(s.edge, { t: 'cut', vs: s.id });
      } catch (err) {
        this.#log.warn({ err: (err as Error).message }, 'could not hand the rooms over cleanly');
      }
    }
    this.#homes.clear();
    for (const s of [...this.#remote.values()]) s.closed('server shutting down');
    this.#sub.disconnect();
    this.#cmd.disconnect();
  }
}
