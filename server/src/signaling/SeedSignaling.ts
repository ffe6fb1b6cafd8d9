import {
  errorMessages,
  isPlainSeedData,
  seedDataSchema,
  seedJoinSchema,
  type ErrorId,
  type SeedData,
} from '@parley/protocol';
import type { Namespace, Socket } from 'socket.io';
import { checkInvitation } from '../access/invitations';
import type { ClientId, ClientLimits } from '../limits/ClientLimits';
import type { Logger } from '../logger';
import { guarded } from '../transport/guard';

type Ack = (reply: unknown) => void;

export interface SeedSignalingOptions {
  log: Logger;
  /** Joins per client and per address (shared with Parley's namespace; see ClientLimits). */
  limits: ClientLimits;
  /** Who the socket is: its network address and client key (cookie, or the address without one). */
  clientOf(socket: Socket): ClientId;
  /** When set (ACCESS_SECRET), a join must carry an invitation token for its room. */
  accessSecret: string | null;
  /** Longest accepted invitation lifetime, in seconds (INVITE_MAX_TTL). */
  inviteMaxTtl: number;
  /** Most sockets in one seed room (SEED_ROOM_MAX). */
  roomMax: number;
  /** False while the server drains for shutdown: new joins are refused. */
  acceptingJoins(): boolean;
  /**
   * With several servers (REDIS_URL): places in rooms counted across all of them. Without it, the
   * sockets in the room on this server are counted.
   */
  places?: {
    take(room: string, socketId: string, max: number): Promise<boolean>;
    free(room: string, socketId: string): void;
  };
  /** Counts refused messages for /metrics. */
  metrics?: { seedRejected(reason: ErrorId): void };
}

/**
 * Socket.IO room of a seed room. Prefixed, so that a seed room can never be named like a
 * socket's own room (its id), which would let a client relay to any socket it names.
 */
const roomKey = (room: string): string => `seed:${room}`;

/**
 * The seed's protocol on the default namespace, payloads exactly as the original server had
 * them: `join {username, room}` -> `ready {username}` to the others in the room;
 * `data {username, room, data}` -> `data` (the inner object) to the others in the room.
 * Unlike the original: one room per socket and at most `roomMax` sockets in a room, joins count
 * against the per-address join limit, invitation-only servers want a token, a socket may relay
 * only to the room it joined, relayed objects are bounded in size, and bad payloads are answered
 * (`protocol-error`, or the acknowledgement when the client asked for one).
 */
export function attachSeedSignaling(nsp: Namespace, opts: SeedSignalingOptions): void {
  const log = opts.log.child({ subsystem: 'seed' });
  nsp.on('connection', (socket) => {
    /** The seed room this socket joined (one per socket). */
    let joined: string | null = null;
    const ackOf = (args: unknown[]): Ack | undefined => {
      const last = args[args.length - 1];
      return typeof last === 'function' ? (last as Ack) : undefined;
    };
    const refuse = (
      event: string,
      error: ErrorId,
      ack: Ack | undefined,
      message: string = errorMessages[error],
    ): void => {
      opts.metrics?.seedRejected(error);
      if (ack) ack({ ok: false, error, message });
      else socket.emit('protocol-error', { error, message: `${event}: ${message}`, event });
    };

    socket.on(
      'join',
      guarded(log, 'seed join', (raw: unknown, ...rest: unknown[]) => {
        const ack = ackOf([raw, ...rest]);
        const msg = seedJoinSchema.safeParse(raw);
        if (!msg.success) return refuse('join', 'invalid-message', ack, msg.error.issues[0]?.message ?? 'invalid');
        const { room, username, token } = msg.data;
        if (joined !== null && joined !== room) return refuse('join', 'already-joined', ack);
        if (!opts.acceptingJoins()) return refuse('join', 'shutting-down', ack);
        if (opts.accessSecret !== null) {
          if (!token) return refuse('join', 'token-required', ack);
          const inv = checkInvitation(token, opts.accessSecret, room, Date.now(), opts.inviteMaxTtl);
          if (!inv.ok) return refuse('join', inv.error, ack);
        }
        const who = opts.clientOf(socket);
        const over = opts.limits.join(who);
        if (over !== null) {
          log.warn({ address: who.address, limit: over }, 'seed join refused: over the join limit');
          return refuse('join', 'rate-limited', ack);
        }
        const key = roomKey(room);
        const enter = (): void => {
          void socket.join(key);
          socket.to(key).emit('ready', { username });
          log.info({ room }, 'seed client joined');
          ack?.({ ok: true });
        };
        if (joined !== null) return enter();
        const places = opts.places;
        if (!places) {
          if ((nsp.adapter.rooms.get(key)?.size ?? 0) >= opts.roomMax) return refuse('join', 'room-full', ack);
          joined = room;
          return enter();
        }
        // Counted across the servers: the place is taken before anyone hears of the joiner.
        joined = room;
        places.take(room, socket.id, opts.roomMax).then(
          (ok) => {
            if (socket.disconnected) return places.free(room, socket.id);
            if (ok) return enter();
            joined = null;
            refuse('join', 'room-full', ack);
          },
          () => {
            joined = null;
            refuse('join', 'cluster-unavailable', ack);
          },
        );
      }),
    );

    socket.on(
      'data',
      guarded(log, 'seed data', (raw: unknown, ...rest: unknown[]) => {
        const ack = ackOf([raw, ...rest]);
        // The hot path: what the original client sends is checked in place and relayed as is; the
        // schema handles the rest (and says why it refuses).
        let data: SeedData;
        if (isPlainSeedData(raw)) data = raw;
        else {
          const msg = seedDataSchema.safeParse(raw);
          if (!msg.success) return refuse('data', 'invalid-message', ack, msg.error.issues[0]?.message ?? 'invalid');
          data = msg.data;
        }
        if (joined !== data.room) return refuse('data', 'not-joined', ack, 'join the room first');
        socket.to(roomKey(joined)).emit('data', data.data);
        ack?.({ ok: true });
      }),
    );

    socket.on('disconnect', () => {
      if (joined !== null) opts.places?.free(joined, socket.id);
    });

    // Other events were ignored by the original server; a client that asks for an answer gets one.
    socket.onAny(
      guarded(log, 'seed event', (event: unknown, ...args: unknown[]) => {
        if (event === 'join' || event === 'data') return;
        const ack = ackOf(args);
        if (ack) refuse(String(event).slice(0, 64), 'unknown-event', ack);
      }),
    );
  });
}

/** The seed namespace when SEED_PROTOCOL is off: every connection is refused with the reason. */
export function refuseSeedProtocol(nsp: Namespace, onRefused?: () => void): void {
  nsp.use((_socket, next) => {
    onRefused?.();
    const err = new Error('the seed protocol is off on this server (SEED_PROTOCOL=off); use /parley') as Error & {
      data?: unknown;
    };
    err.data = { error: 'seed-protocol-off', option: 'SEED_PROTOCOL' };
    next(err);
  });
}
