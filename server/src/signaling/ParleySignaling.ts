import { randomBytes, timingSafeEqual } from 'node:crypto';
import {
  errorMessages,
  isPlainSignal,
  parseClientEvent,
  type CheckOk,
  type ClientEvent,
  type ErrorId,
  type IceServer,
  type JoinOk,
  type Participant,
  type SignalRequest,
} from '@parley/protocol';
import type { Namespace, Socket } from 'socket.io';
import type { AccessControl } from '../access/AccessControl';
import type { RemovedReason } from '@parley/protocol';
import type { MessageLimiter, PerMinuteLimit, Verdict } from '../limits/RateLimiter';
import { relayChat } from '../chat/chatRelay';
import { DISCONNECT_GRACE_MS } from '../liveness';
import type { Logger } from '../logger';
import type { Room } from '../Room';
import type { RoomRegistry } from '../RoomRegistry';
import { guarded } from '../transport/guard';

type Ack = (reply: unknown) => void;

export interface ParleySignalingOptions {
  rooms: RoomRegistry;
  log: Logger;
  /** ICE servers for one participant (TURN credentials are minted per participant). */
  iceServers(participantId: string): IceServer[];
  /** False while the server drains for shutdown: new joins are refused. */
  acceptingJoins(): boolean;
  /** Room access: host role, lock, password, lobby, bans, invitations. */
  access: AccessControl;
  /** A fresh message limiter for each connection. */
  messageLimiter(): MessageLimiter;
  /** Joins per minute per client address. */
  joinsPerMinute: PerMinuteLimit;
  /** The client's address and the key its bans are kept under. */
  clientOf(socket: Socket): { address: string; key: string };
  /** The client's address (honouring a trusted proxy's X-Forwarded-For). */
  clientAddress(socket: Socket): string;
  /** Counters for /metrics. */
  metrics?: SignalingMetrics;
}

/** What the signaling layer reports for /metrics (one call per event, never per byte). */
export interface SignalingMetrics {
  joined(): void;
  left(reason: 'left' | 'disconnected' | 'removed'): void;
  rejected(reason: ErrorId): void;
}

/**
 * Random ids and tokens, drawn from a pool refilled 4 KiB at a time: one call into the
 * system's random source per few hundred ids instead of one per id (joins are a hot path in a
 * join storm). Same source and entropy as `randomBytes` per id.
 */
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let poolOffset = 0;
function newId(bytes: number): string {
  if (poolOffset + bytes > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolOffset = 0;
  }
  const id = pool.toString('base64url', poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return id;
}

function sameSecret(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/**
 * One signaling connection of Parley's protocol. Validates every inbound event at the boundary,
 * then handles the typed value. Owns the link between the socket and its room membership.
 */
class Connection {
  #room: Room | null = null;
  #self: Participant | null = null;
  /** Pending removal after an abnormal transport drop (see DISCONNECT_GRACE_MS). */
  #grace: ReturnType<typeof setTimeout> | null = null;
  /** Inbound events are handled one at a time, in order (joins and host actions may await). */
  #queue: Promise<void> = Promise.resolve();
  /** Inbound events queued or running on `#queue`. */
  #pending = 0;
  readonly #limiter: MessageLimiter;
  readonly #client: { address: string; key: string };
  /** This connection's place in a lobby, made when it first waits in one. */
  #lobbyIdValue: string | null = null;
  get #lobbyId(): string {
    this.#lobbyIdValue ??= newId(9);
    return this.#lobbyIdValue;
  }
  /** The room whose lobby this connection waits in, and the room it was admitted to. */
  #waitingIn: string | null = null;
  #admittedTo: string | null = null;

  constructor(
    readonly socket: Socket,
    readonly opts: ParleySignalingOptions,
    readonly log: Logger,
  ) {
    this.#limiter = opts.messageLimiter();
    this.#client = opts.clientOf(socket);
    // Guarded: Socket.IO calls listeners from process.nextTick, where a throw ends the process.
    socket.onAny(guarded(log, 'parley event', (event: string, ...args: unknown[]) => this.#receive(event, args)));
    socket.on(
      'disconnect',
      guarded(log, 'parley disconnect', (reason: string) => {
        this.#leaveLobby();
        this.#disconnected(reason);
      }),
    );
  }

  #receive(event: string, args: unknown[]): void {
    const last = args[args.length - 1];
    const ack = typeof last === 'function' ? (last as Ack) : undefined;
    const verdict = this.#limiter.check();
    if (verdict !== 'pass') return this.#overLimit(verdict, event, ack);
    const payload = args[0];
    // The hot path: a well-formed signal with nothing queued before it is relayed right here,
    // checked in place (no copy, no queue); anything else takes the general path below.
    if (event === 'signal' && this.#pending === 0 && isPlainSignal(payload)) return this.#signal(payload, ack);
    const parsed = parseClientEvent(event, typeof payload === 'function' ? undefined : payload);
    if (!parsed.ok) {
      this.log.debug({ event: event.slice(0, 64), error: parsed.error }, 'refused message');
      this.#refuse(parsed.error, ack, event, parsed.message);
      return;
    }
    this.#pending++;
    this.#queue = this.#queue
      .then(() => this.#handle(parsed.value, ack))
      .catch((err: unknown) => {
        this.log.error({ err, event }, 'handler failed');
        this.#refuse('invalid-message', ack, event);
      })
      .finally(() => this.#pending--);
  }

  #overLimit(verdict: Exclude<Verdict, 'pass'>, event: string, ack: Ack | undefined): void {
    if (verdict === 'disconnect') {
      this.log.warn({ address: this.#client.address }, 'disconnected: over the message rate limit');
      this.socket.emit('protocol-error', { error: 'rate-limited', message: errorMessages['rate-limited'] });
      this.socket.disconnect(true);
      return;
    }
    if (verdict === 'refuse') this.#refuse('rate-limited', ack, event);
    else ack?.({ ok: false, error: 'rate-limited', message: errorMessages['rate-limited'] });
  }

  #refuse(error: ErrorId, ack: Ack | undefined, event?: string, message = errorMessages[error]): void {
    this.opts.metrics?.rejected(error);
    if (ack) ack({ ok: false, error, message });
    else this.socket.emit('protocol-error', { error, message, ...(event ? { event: event.slice(0, 64) } : {}) });
  }

  async #handle(msg: ClientEvent, ack: Ack | undefined): Promise<void> {
    switch (msg.event) {
      case 'join':
        return this.#join(msg.payload, ack);
      case 'signal':
        return this.#signal(msg.payload, ack);
      case 'media-state': {
        const room = this.#room;
        const self = this.#self;
        if (!room || !self) return this.#refuse('not-joined', ack, msg.event);
        const participant = room.setMedia(self.id, msg.payload);
        if (participant) room.broadcast('participant-updated', { participant }, self.id);
        ack?.({ ok: true });
        return;
      }
      case 'chat-send': {
        if (!this.#room || !this.#self) return this.#refuse('not-joined', ack, msg.event);
        const reply = relayChat(this.#room, this.#self, msg.payload);
        if (reply.ok) ack?.(reply);
        else this.#refuse(reply.error, ack, msg.event);
        return;
      }
      case 'leave':
        if (this.#waitingIn !== null) {
          this.#leaveLobby();
          ack?.({ ok: true });
          return;
        }
        if (!this.#room) return this.#refuse('not-joined', ack, msg.event);
        this.#leave('left');
        ack?.({ ok: true });
        return;
      case 'check': {
        if (!this.opts.acceptingJoins()) return this.#refuse('shutting-down', ack, msg.event);
        const reply: CheckOk = {
          ok: true,
          iceServers: this.opts.iceServers(`check-${newId(6)}`),
          address: this.opts.clientAddress(this.socket),
        };
        ack?.(reply);
        return;
      }
      default: {
        const room = this.#room;
        const self = this.#self;
        if (!room || !self) return this.#refuse('not-joined', ack, msg.event);
        const reply = await this.opts.access.hostAction(room, self.id, msg);
        if (reply.ok) ack?.(reply);
        else this.#refuse(reply.error, ack, msg.event, reply.message);
        return;
      }
    }
  }

  #signal(req: SignalRequest, ack: Ack | undefined): void {
    const room = this.#room;
    const self = this.#self;
    if (!room || !self) return this.#refuse('not-joined', ack, 'signal');
    const target = room.get(req.to);
    if (!target || req.to === self.id) return this.#refuse('unknown-participant', ack, 'signal');
    target.send('signal', { from: self.id, data: req.data });
    ack?.({ ok: true });
  }

  #leaveLobby(): void {
    if (this.#waitingIn === null) return;
    this.opts.access.leaveLobby(this.#waitingIn, this.#lobbyId);
    this.#waitingIn = null;
  }

  /** The host let this waiting connection in (it joins again) or refused it. */
  #lobbyAnswer(room: string, admitted: boolean): void {
    if (this.#waitingIn !== room) return;
    this.#waitingIn = null;
    if (admitted) this.#admittedTo = room;
    this.socket.emit(admitted ? 'lobby-admitted' : 'lobby-denied', {});
  }

  /** Taken out of the room by the host (removed or call ended). */
  #kick(reason: RemovedReason, banSeconds?: number): void {
    this.socket.emit('removed', { reason, ...(banSeconds !== undefined ? { banSeconds } : {}) });
    this.#leave(reason === 'removed' ? 'removed' : 'left');
  }

  async #join(req: Extract<ClientEvent, { event: 'join' }>['payload'], ack: Ack | undefined): Promise<void> {
    if (this.#room) return this.#refuse('already-joined', ack, 'join');
    if (!this.opts.acceptingJoins()) return this.#refuse('shutting-down', ack, 'join');
    if (this.#waitingIn !== null && this.#waitingIn !== req.room) this.#leaveLobby();
    if (this.#waitingIn === null && !this.opts.joinsPerMinute.hit(this.#client.address)) {
      const verdict = this.#limiter.strike();
      if (verdict === 'disconnect') return this.#overLimit(verdict, 'join', ack);
      return this.#refuse('rate-limited', ack, 'join', 'Too many joins from your address; wait a minute.');
    }
    const banKeys = [this.#client.key, ...(req.resume ? [req.resume.participantId] : [])];
    const r = req.resume;
    const live = r ? this.opts.rooms.get(req.room)?.get(r.participantId) : undefined;
    const admission = await this.opts.access.admit(req, {
      resuming:
        r !== undefined &&
        (live
          ? sameSecret(live.resumeToken, r.token)
          : this.opts.access.mayResume(req.room, r.participantId, r.token, sameSecret)),
      lobbyId: this.#lobbyId,
      banKeys,
      admittedTo: this.#admittedTo,
      lobbyAnswer: (room, admitted) => this.#lobbyAnswer(room, admitted),
    });
    if (!admission.ok) {
      if (admission.error === 'in-lobby') {
        this.#waitingIn = req.room;
        // Gone while the gates were checked: do not leave a stale entry on the host's list.
        if (this.socket.disconnected) this.#leaveLobby();
      }
      this.log.debug({ room: req.room, error: admission.error, address: this.#client.address }, 'join refused');
      return this.#refuse(admission.error, ack, 'join', admission.message);
    }
    if (this.#room || this.socket.disconnected) {
      this.opts.rooms.releaseIfEmpty(admission.room);
      return this.#refuse('already-joined', ack, 'join');
    }
    this.#admittedTo = null;
    const { room, access } = admission;

    let id = newId(9);
    let token = newId(18);
    if (req.resume) {
      const existing = room.get(req.resume.participantId);
      if (existing && sameSecret(existing.resumeToken, req.resume.token)) {
        // The same participant reconnected before its old connection was noticed as gone.
        room.remove(existing.participant.id);
        existing.evict();
        id = req.resume.participantId;
        token = req.resume.token;
      } else if (!existing) {
        // Unknown here (for example after a server restart): keep the id so peers recognise it.
        id = req.resume.participantId;
        token = req.resume.token;
      }
    }

    if (room.isFull) {
      this.opts.rooms.releaseIfEmpty(room);
      return this.#refuse('room-full', ack, 'join');
    }

    const self: Participant = {
      id,
      name: admission.name,
      media: req.media ?? { audio: true, video: true },
      joinedAt: Date.now(),
    };
    const socket = this.socket;
    room.add({
      participant: self,
      resumeToken: token,
      send: (event, payload) => socket.emit(event, payload),
      evict: () => {
        if (this.#grace) {
          // The old transport is already gone: the participant simply came back in time.
          this.#cancelGrace();
          this.#room = null;
          this.#self = null;
          return;
        }
        socket.emit('replaced', {});
        socket.disconnect(true);
      },
    });
    this.#room = room;
    this.#self = self;
    const hostBefore = access.hostId;
    access.add(
      {
        id,
        banKeys: [this.#client.key, id],
        mayHost: admission.mayHost,
        send: (event, payload) => socket.emit(event, payload),
        kick: (reason, banSeconds) => this.#kick(reason, banSeconds),
      },
      admission.asHost,
    );
    const reply: JoinOk = {
      ok: true,
      room: room.name,
      self,
      participants: room.participants(id),
      iceServers: this.opts.iceServers(id),
      resumeToken: token,
      roomState: access.stateFor(id),
    };
    // Reply first so the newcomer knows the room before anyone can signal it.
    ack?.(reply);
    socket.emit('chat-history', { messages: room.chat.visibleTo(id) });
    room.broadcast('participant-joined', { participant: self }, id);
    if (access.hostId !== hostBefore) access.publish();
    this.opts.metrics?.joined();
    this.log.info({ room: room.name, participant: id, size: room.size }, 'joined');
  }

  /**
   * A clean close (the client disconnected on purpose, or the server is closing) leaves at once;
   * a dropped transport gets a short grace so the same participant can resume unnoticed.
   */
  #disconnected(reason: string): void {
    if (reason === 'client namespace disconnect') return this.#leave('left');
    // Everyone is being disconnected and will rejoin the next server: nobody to tell.
    if (reason === 'server shutting down') return this.#leave('disconnected', false);
    if (reason === 'server namespace disconnect' || !this.#room) return this.#leave('disconnected');
    this.log.debug({ room: this.#room.name, participant: this.#self?.id, reason }, 'transport dropped');
    this.#grace = setTimeout(() => {
      this.#grace = null;
      this.#leave('disconnected');
    }, DISCONNECT_GRACE_MS);
    this.#grace.unref();
  }

  #cancelGrace(): void {
    if (this.#grace) clearTimeout(this.#grace);
    this.#grace = null;
  }

  #leave(reason: 'left' | 'disconnected' | 'removed', announce = true): void {
    this.#cancelGrace();
    const room = this.#room;
    const self = this.#self;
    if (!room || !self) return;
    this.#room = null;
    this.#self = null;
    // A replaced member is no longer in the room under this connection: nothing to announce.
    const member = room.get(self.id);
    if (!member || member.participant !== self) return;
    room.remove(self.id);
    if (reason === 'disconnected') this.opts.access.dropped(room.name, self.id, member.resumeToken);
    if (announce) room.broadcast('participant-left', { id: self.id, reason });
    this.opts.access.afterLeave(room, self.id);
    this.opts.rooms.releaseIfEmpty(room);
    this.opts.metrics?.left(reason);
    this.log.info({ room: room.name, participant: self.id, reason }, 'left');
  }
}

/** Serve Parley's protocol on a Socket.IO namespace. */
export function attachParleySignaling(nsp: Namespace, opts: ParleySignalingOptions): void {
  const log = opts.log.child({ subsystem: 'signaling' });
  nsp.on('connection', (socket) => {
    new Connection(socket, opts, log);
  });
}
