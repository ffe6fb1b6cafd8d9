import { randomBytes, timingSafeEqual } from 'node:crypto';
import {
  errorMessages,
  parseClientEvent,
  type CheckOk,
  type ClientEvent,
  type ErrorId,
  type IceServer,
  type JoinOk,
  type Participant,
} from '@parley/protocol';
import type { Namespace, Socket } from 'socket.io';
import { relayChat } from '../chat/chatRelay';
import type { Logger } from '../logger';
import type { Room } from '../Room';
import type { RoomRegistry } from '../RoomRegistry';

type Ack = (reply: unknown) => void;

export interface ParleySignalingOptions {
  rooms: RoomRegistry;
  log: Logger;
  /** ICE servers for one participant (TURN credentials are minted per participant). */
  iceServers(participantId: string): IceServer[];
  /** False while the server drains for shutdown: new joins are refused. */
  acceptingJoins(): boolean;
  /** The client's address (honouring a trusted proxy's X-Forwarded-For). */
  clientAddress(socket: Socket): string;
  /** Counters for /metrics. */
  metrics?: SignalingMetrics;
}

/** What the signaling layer reports for /metrics (one call per event, never per byte). */
export interface SignalingMetrics {
  joined(): void;
  left(reason: 'left' | 'disconnected'): void;
  rejected(reason: ErrorId): void;
}

function newId(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
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

  constructor(
    readonly socket: Socket,
    readonly opts: ParleySignalingOptions,
    readonly log: Logger,
  ) {
    socket.onAny((event: string, ...args: unknown[]) => this.#receive(event, args));
    socket.on('disconnect', (reason) =>
      this.#leave(reason === 'client namespace disconnect' ? 'left' : 'disconnected'),
    );
  }

  #receive(event: string, args: unknown[]): void {
    const last = args[args.length - 1];
    const ack = typeof last === 'function' ? (last as Ack) : undefined;
    const payload = args[0];
    const parsed = parseClientEvent(event, typeof payload === 'function' ? undefined : payload);
    if (!parsed.ok) {
      this.log.debug({ event: event.slice(0, 64), error: parsed.error }, 'refused message');
      this.#refuse(parsed.error, ack, event, parsed.message);
      return;
    }
    try {
      this.#handle(parsed.value, ack);
    } catch (err) {
      this.log.error({ err, event }, 'handler failed');
      this.#refuse('invalid-message', ack, event);
    }
  }

  #refuse(error: ErrorId, ack: Ack | undefined, event?: string, message = errorMessages[error]): void {
    this.opts.metrics?.rejected(error);
    if (ack) ack({ ok: false, error, message });
    else this.socket.emit('protocol-error', { error, message, ...(event ? { event: event.slice(0, 64) } : {}) });
  }

  #handle(msg: ClientEvent, ack: Ack | undefined): void {
    switch (msg.event) {
      case 'join':
        return this.#join(msg.payload, ack);
      case 'signal': {
        const room = this.#room;
        const self = this.#self;
        if (!room || !self) return this.#refuse('not-joined', ack, msg.event);
        const target = room.get(msg.payload.to);
        if (!target || msg.payload.to === self.id) return this.#refuse('unknown-participant', ack, msg.event);
        target.send('signal', { from: self.id, data: msg.payload.data });
        ack?.({ ok: true });
        return;
      }
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
    }
  }

  #join(req: Extract<ClientEvent, { event: 'join' }>['payload'], ack: Ack | undefined): void {
    if (this.#room) return this.#refuse('already-joined', ack, 'join');
    if (!this.opts.acceptingJoins()) return this.#refuse('shutting-down', ack, 'join');
    const room = this.opts.rooms.getOrCreate(req.room);

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
      name: req.name,
      media: req.media ?? { audio: true, video: true },
      joinedAt: Date.now(),
    };
    const socket = this.socket;
    room.add({
      participant: self,
      resumeToken: token,
      send: (event, payload) => socket.emit(event, payload),
      evict: () => {
        socket.emit('replaced', {});
        socket.disconnect(true);
      },
    });
    this.#room = room;
    this.#self = self;
    const reply: JoinOk = {
      ok: true,
      room: room.name,
      self,
      participants: room.participants(id),
      iceServers: this.opts.iceServers(id),
      resumeToken: token,
    };
    // Reply first so the newcomer knows the room before anyone can signal it.
    ack?.(reply);
    socket.emit('chat-history', { messages: room.chat.visibleTo(id) });
    room.broadcast('participant-joined', { participant: self }, id);
    this.opts.metrics?.joined();
    this.log.info({ room: room.name, participant: id, size: room.size }, 'joined');
  }

  #leave(reason: 'left' | 'disconnected'): void {
    const room = this.#room;
    const self = this.#self;
    if (!room || !self) return;
    this.#room = null;
    this.#self = null;
    // A replaced member is no longer in the room under this connection: nothing to announce.
    const member = room.get(self.id);
    if (!member || member.participant !== self) return;
    room.remove(self.id);
    room.broadcast('participant-left', { id: self.id, reason });
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
