import { randomBytes } from 'node:crypto';
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
  type AnySignalData,
  type SignalRequest,
} from '@parley/protocol';
import type { Namespace, Socket } from 'socket.io';
import { ADMISSION_MS, type AccessControl, type Admitted } from '../access/AccessControl';
import type { ResumeTokens } from '../access/resumeTokens';
import type { RemovedReason } from '@parley/protocol';
import { addressKey } from '../access/BanList';
import type { ClientLimits } from '../limits/ClientLimits';
import { CONNECTION_QUEUE_MAX, SEND_BUFFER_MAX_PACKETS, strikeWeight } from '../limits/connectionBounds';
import { PARLEY_NAMESPACE, PROTOCOL_VERSION } from '@parley/protocol';
import type { MessageLimiter, Verdict } from '../limits/RateLimiter';
import type { WindowCounter } from '../limits/WindowCounter';
import { relayChat } from '../chat/chatRelay';
import { handleRecording, publishRecording } from '../recording/recordingEvents';
import { publishMeeting, relayMeeting } from '../meeting/meetingRelay';
import { DISCONNECT_GRACE_MS, SILENT_DISCONNECT_GRACE_MS } from '../liveness';
import type { Logger } from '../logger';
import type { Room } from '../Room';
import type { RoomRegistry } from '../RoomRegistry';
import { guarded } from '../transport/guard';
import type { SfuRoom } from '../sfu/SfuRoom';
import { LocalSocket, type ClientSocket } from './ClientSocket';

type Ack = (reply: unknown) => void;

export interface ParleySignalingOptions {
  rooms: RoomRegistry;
  log: Logger;
  /** ICE servers for one participant (TURN credentials are minted per participant, unless `turn` is false). */
  iceServers(participantId: string, turn?: boolean): IceServer[];
  /** Whether the server hands out a TURN relay at all. */
  hasTurn: boolean;
  /** `check` answers with TURN credentials per client (cookie, else address) and per address. */
  checksPerMinute: { perClient: WindowCounter; perAddress: WindowCounter };
  /** False while the server drains for shutdown: new joins are refused. */
  acceptingJoins(): boolean;
  /** Room access: host role, lock, password, lobby, bans, invitations. */
  access: AccessControl;
  /** Makes and checks resume tokens (the proof of a participant id when rejoining). */
  resumeTokens: ResumeTokens;
  /** A fresh message limiter for each connection. */
  messageLimiter(): MessageLimiter;
  /** Joins per client and per address, and strikes for refused work (see ClientLimits). */
  limits: ClientLimits;
  /** Bytes queued toward a client before it counts as not reading and is disconnected. */
  sendBufferMaxBytes: number;
  /** The client's address and the key its bans are kept under. */
  clientOf(socket: Socket): { address: string; key: string };
  /** The client's address (honouring a trusted proxy's X-Forwarded-For). */
  clientAddress(socket: Socket): string;
  /** Counters for /metrics. */
  metrics?: SignalingMetrics;
  /**
   * Tests only (PARLEY_TEST_SWAP_FINGERPRINT=1): rewrites a relayed signal as a server in the
   * middle would, to show that end-to-end verification codes then differ. Never set in production.
   */
  tamperSignal?(data: AnySignalData): AnySignalData;
  /** How rooms' media travels (ROOM_TOPOLOGY), the mesh and room caps, and the forwarding unit. */
  /** With REDIS_URL: the cluster of servers sharing rooms. */
  cluster?: SignalingCluster;
  /** Something in the room may have changed: its state is written through (resolves once written). */
  roomChanged?(room: string): Promise<void> | undefined;
  topology: {
    mode: 'auto' | 'mesh' | 'sfu';
    meshMax: number;
    roomMax: number;
    /** The forwarding unit's state for a new room, or null when it cannot run here. */
    sfuRoom(name: string): SfuRoom | null;
  };
}

/** What the signaling layer reports for /metrics (one call per event, never per byte). */
export interface SignalingMetrics {
  joined(): void;
  left(reason: 'left' | 'disconnected' | 'removed'): void;
  rejected(reason: ErrorId): void;
  /** A join answered after `seconds`: joined, waiting (lobby, password) or refused. */
  joinAnswered?(result: 'joined' | 'waiting' | 'refused', seconds: number): void;
  /** A signal handed to its recipient `seconds` after it arrived. */
  signalRelayed?(seconds: number): void;
  /** A message over the connection's message rate. */
  messageRateLimited?(namespace: string, action: 'refused' | 'refused-quietly' | 'disconnected'): void;
  /** A request refused for a budget. */
  budgetRefused?(
    budget: 'joins' | 'relay-checks' | 'passwords' | 'password-hashes' | 'lobby' | 'queue' | 'meeting',
  ): void;
}

/** Refusals that mean a budget ran out, and the budget's name in /metrics. */
const BUDGET_OF: Partial<Record<ErrorId, 'passwords' | 'password-hashes' | 'lobby' | 'queue'>> = {
  'password-limited': 'passwords',
  'server-busy': 'password-hashes',
  'lobby-full': 'lobby',
  'queue-full': 'queue',
};

/** Join answers that are not a refusal: the joiner is asked for a password or waits for the host. */
const JOIN_WAITING: ReadonlySet<string> = new Set(['in-lobby', 'password-required', 'wrong-password']);

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
  /** The room whose lobby this connection waits in, and the admission it got from a lobby. */
  #waitingIn: string | null = null;
  #admitted: Admitted | null = null;

  constructor(
    readonly socket: ClientSocket,
    readonly opts: ParleySignalingOptions,
    readonly log: Logger,
  ) {
    this.#limiter = opts.messageLimiter();
    this.#client = socket.client;
    // Guarded: Socket.IO calls listeners from process.nextTick, where a throw ends the process.
    socket.onEvent(guarded(log, 'parley event', (event: string, args: unknown[]) => this.#receive(event, args)));
    socket.onDisconnect(
      guarded(log, 'parley disconnect', (reason: string) => {
        this.#leaveLobby();
        this.#disconnected(reason);
      }),
    );
  }

  /** In a room now (not only waiting in its lobby). */
  get inRoom(): boolean {
    return this.#room !== null;
  }

  #receive(event: string, args: unknown[]): void {
    const receivedAt = performance.now();
    const last = args[args.length - 1];
    const ack = typeof last === 'function' ? (last as Ack) : undefined;
    const verdict = this.#limiter.check();
    if (verdict !== 'pass') return this.#overLimit(verdict, event, ack);
    const payload = args[0];
    // The hot path: a well-formed signal with nothing queued before it is relayed right here,
    // checked in place (no copy, no queue); anything else takes the general path below.
    if (event === 'signal' && this.#pending === 0 && isPlainSignal(payload))
      return this.#signal(payload, ack, receivedAt);
    const parsed = parseClientEvent(event, typeof payload === 'function' ? undefined : payload);
    if (!parsed.ok) {
      this.log.debug({ event: event.slice(0, 64), error: parsed.error }, 'refused message');
      this.#refuse(parsed.error, ack, event, parsed.message);
      return;
    }
    // The queue is bounded: a client sending without waiting for replies is refused, not buffered.
    if (this.#pending >= CONNECTION_QUEUE_MAX) return this.#refuse('queue-full', ack, event);
    this.#pending++;
    const name = parsed.value.event;
    // Host actions and chat are answered once the room's state holds them (with REDIS_URL: once
    // Redis has it, so a server that dies right after cannot take them along). A join is answered
    // at once: the newcomer must know the room before anyone can signal it.
    let reply: { value: unknown } | null = null;
    const written = this.opts.roomChanged !== undefined && ack !== undefined && name !== 'join' && name !== 'signal';
    const answer: Ack | undefined = written ? (r) => void (reply = { value: r }) : ack;
    this.#queue = this.#queue
      .then(() => this.#handle(parsed.value, answer, receivedAt))
      .then(async () => {
        const room = this.#room?.name ?? this.#waitingIn;
        const saved = room && name !== 'signal' ? this.opts.roomChanged?.(room) : undefined;
        if (written && reply) {
          await saved;
          ack(reply.value);
        }
      })
      .catch((err: unknown) => {
        this.log.error({ err, event }, 'handler failed');
        this.#refuse('invalid-message', ack, event);
      })
      .finally(() => this.#pending--);
  }

  #overLimit(verdict: Exclude<Verdict, 'pass'>, event: string, ack: Ack | undefined): void {
    this.opts.metrics?.messageRateLimited?.(
      PARLEY_NAMESPACE,
      verdict === 'disconnect' ? 'disconnected' : verdict === 'refuse' ? 'refused' : 'refused-quietly',
    );
    if (verdict !== 'refuse') this.opts.limits.strike(this.#client, strikeWeight('rate-limited'));
    if (verdict === 'disconnect') {
      this.log.warn({ address: this.#client.address }, 'disconnected: over the message rate limit');
      this.socket.emit('protocol-error', { error: 'rate-limited', message: errorMessages['rate-limited'] });
      this.socket.disconnect();
      return;
    }
    if (verdict === 'refuse') this.#refuse('rate-limited', ack, event);
    else ack?.({ ok: false, error: 'rate-limited', message: errorMessages['rate-limited'] });
  }

  #refuse(error: ErrorId, ack: Ack | undefined, event?: string, message = errorMessages[error]): void {
    this.opts.metrics?.rejected(error);
    const budget = BUDGET_OF[error];
    if (budget) this.opts.metrics?.budgetRefused?.(budget);
    this.opts.limits.strike(this.#client, strikeWeight(error));
    if (ack) ack({ ok: false, error, message });
    else this.socket.emit('protocol-error', { error, message, ...(event ? { event: event.slice(0, 64) } : {}) });
  }

  async #handle(msg: ClientEvent, ack: Ack | undefined, receivedAt: number): Promise<void> {
    switch (msg.event) {
      case 'join':
        return this.#join(msg.payload, this.#timedJoinAck(ack, receivedAt));
      case 'signal':
        return this.#signal(msg.payload, ack, receivedAt);
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
      case 'hand-raise':
      case 'hand-lower':
      case 'reaction-send':
      case 'spotlight': {
        const room = this.#room;
        const self = this.#self;
        if (!room || !self) return this.#refuse('not-joined', ack, msg.event);
        const reply = relayMeeting(room, self, this.opts.access.of(room).isHost(self.id), msg);
        if (reply.ok) ack?.(reply);
        // Past a person's reaction or hand budget: a clear answer, but no strike (people click fast).
        else if (reply.error === 'rate-limited' && ack) {
          this.opts.metrics?.budgetRefused?.('meeting');
          ack(reply);
        } else this.#refuse(reply.error, ack, msg.event, reply.message);
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
      case 'sfu-publish':
      case 'sfu-subscribe': {
        const room = this.#room;
        const self = this.#self;
        if (!room || !self) return this.#refuse('not-joined', ack, msg.event);
        const media = room.media;
        if (!media) return this.#refuse('not-sfu', ack, msg.event);
        const result =
          msg.event === 'sfu-publish' ? media.publish(self.id, msg.payload) : media.subscribe(self.id, msg.payload);
        if (!result.ok) return this.#refuse(result.error, ack, msg.event, result.message);
        ack?.({ ok: true, description: { type: 'answer', sdp: result.value } });
        return;
      }
      case 'sfu-view': {
        const room = this.#room;
        const self = this.#self;
        if (!room || !self) return this.#refuse('not-joined', ack, msg.event);
        if (!room.media) return this.#refuse('not-sfu', ack, msg.event);
        room.media.view(self.id, msg.payload);
        ack?.({ ok: true });
        return;
      }
      case 'check': {
        if (!this.opts.acceptingJoins()) return this.#refuse('shutting-down', ack, msg.event);
        const withheld = this.opts.hasTurn ? this.#turnWithheld(msg.payload) : null;
        const reply: CheckOk = {
          ok: true,
          iceServers: this.opts.iceServers(`check-${newId(6)}`, withheld === null),
          address: this.socket.address,
          ...(withheld ? { turnWithheld: withheld } : {}),
        };
        ack?.(reply);
        return;
      }
      case 'recording-start':
      case 'recording-stop':
      case 'recording-policy': {
        const room = this.#room;
        const self = this.#self;
        if (!room || !self) return this.#refuse('not-joined', ack, msg.event);
        const access = this.opts.access.of(room);
        const reply = handleRecording(room, self, (id) => access.isHost(id), msg);
        if (reply.ok) ack?.(reply);
        else this.#refuse(reply.error, ack, msg.event, reply.message);
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

  /**
   * Why a connection check gets no TURN credentials, or null when it may have them: the gates
   * of a join that come before the room (invitation, ban), then the check rate limits.
   * Credentials open the relay for TURN_TTL (a day by default): only those who could join get them.
   */
  #turnWithheld(req: Extract<ClientEvent, { event: 'check' }>['payload']): { error: ErrorId; message: string } | null {
    const gate = this.opts.access.relayGate(req, [this.#client.key]);
    if (!gate.ok) {
      const message =
        gate.error === 'token-required'
          ? 'This server lends its relay only with an invitation link.'
          : (gate.message ?? errorMessages[gate.error]);
      return { error: gate.error, message };
    }
    const { perClient, perAddress } = this.opts.checksPerMinute;
    if (!perClient.take(this.#client.key) || !perAddress.take(this.#client.address)) {
      this.opts.metrics?.budgetRefused?.('relay-checks');
      return { error: 'rate-limited', message: 'Too many connection checks; the relay is left out for a minute.' };
    }
    return null;
  }

  #signal(req: SignalRequest, ack: Ack | undefined, receivedAt: number): void {
    const room = this.#room;
    const self = this.#self;
    if (!room || !self) return this.#refuse('not-joined', ack, 'signal');
    const target = room.get(req.to);
    if (!target || req.to === self.id) return this.#refuse('unknown-participant', ack, 'signal');
    target.send('signal', {
      from: self.id,
      data: this.opts.tamperSignal ? this.opts.tamperSignal(req.data) : req.data,
    });
    this.opts.metrics?.signalRelayed?.((performance.now() - receivedAt) / 1000);
    // A target that does not read was dropped instead (see #send): the signal went nowhere.
    if (room.get(req.to) !== target) return this.#refuse('unknown-participant', ack, 'signal');
    ack?.({ ok: true });
  }

  /** `ack` that also times the join's answer for /metrics (from the request's arrival). */
  #timedJoinAck(ack: Ack | undefined, receivedAt: number): Ack | undefined {
    const metrics = this.opts.metrics;
    if (!ack || !metrics?.joinAnswered) return ack;
    return (reply) => {
      const r = reply as { ok?: boolean; error?: string };
      const result = r.ok === true ? 'joined' : JOIN_WAITING.has(r.error ?? '') ? 'waiting' : 'refused';
      metrics.joinAnswered?.(result, (performance.now() - receivedAt) / 1000);
      ack(reply);
    };
  }

  #leaveLobby(): void {
    if (this.#waitingIn === null) return;
    this.opts.access.leaveLobby(this.#waitingIn, this.#lobbyId);
    this.#waitingIn = null;
  }

  /** The host let this waiting connection in (it joins again) or refused it. */
  #lobbyAnswer(room: Room, admitted: boolean): void {
    if (this.#waitingIn !== room.name) return;
    this.#waitingIn = null;
    this.#admitted = admitted ? { room, until: Date.now() + ADMISSION_MS } : null;
    this.socket.emit(admitted ? 'lobby-admitted' : 'lobby-denied', {});
  }

  /** Taken out of the room by the host (removed or call ended). */
  #kick(reason: RemovedReason, banSeconds?: number): void {
    this.socket.emit('removed', { reason, ...(banSeconds !== undefined ? { banSeconds } : {}) });
    this.#leave(reason === 'removed' ? 'removed' : 'left');
  }

  async #join(req: Extract<ClientEvent, { event: 'join' }>['payload'], ack: Ack | undefined): Promise<void> {
    if (this.#room) {
      // The same participant asking again on the connection it is in: a rejoin whose answer came
      // after the client gave up waiting (a busy server, a room's new home). Answer it again,
      // rather than refusing a client that would then end its call.
      const again = this.#joinedAlready(req);
      if (again) return ack?.(again);
      return this.#refuse('already-joined', ack, 'join');
    }
    if (!this.opts.acceptingJoins()) return this.#refuse('shutting-down', ack, 'join');
    if (this.#waitingIn !== null && this.#waitingIn !== req.room) this.#leaveLobby();
    const overJoins = this.#waitingIn === null ? this.opts.limits.join(this.#client) : null;
    if (overJoins !== null) {
      this.opts.metrics?.budgetRefused?.('joins');
      const verdict = this.#limiter.strike();
      if (verdict === 'disconnect') return this.#overLimit(verdict, 'join', ack);
      const why =
        overJoins === 'penalty'
          ? 'Too many refused requests from this browser; wait a minute.'
          : overJoins === 'client'
            ? 'Too many joins from this browser; wait a minute.'
            : 'Too many joins from your network; wait a minute.';
      return this.#refuse('rate-limited', ack, 'join', why);
    }
    // An id is adopted only with the token this server (or one with its key) made for it in
    // this room: a guess, or a departed participant's id with any other token, gets a new id.
    const r = req.resume;
    const proven = r !== undefined && this.opts.resumeTokens.verify(req.room, r.participantId, r.token);
    const address = addressKey(this.#client.address);
    const banKeys = [
      this.#client.key,
      ...(address !== this.#client.key ? [address] : []),
      ...(proven ? [r.participantId] : []),
    ];
    const admission = await this.opts.access.admit(req, {
      // Past the gates only while the seat is still held or just dropped: someone who left for
      // good comes back through the lock, password and lobby like anyone else.
      resuming:
        proven &&
        (this.opts.rooms.get(req.room)?.has(r.participantId) === true ||
          this.opts.access.recentlyDropped(req.room, r.participantId)),
      lobbyId: this.#lobbyId,
      banKeys,
      address: this.#client.address,
      admitted: this.#admitted,
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
    this.#admitted = null;
    const { room, access } = admission;

    let id = newId(9);
    /** The participant as the others know it, when it takes back a seat it still holds. */
    let before: Participant | null = null;
    if (proven) {
      id = r.participantId;
      const existing = room.get(id);
      if (existing) {
        // The same participant reconnected before its old connection was noticed as gone.
        before = existing.participant;
        room.remove(id);
        existing.evict();
      }
      // Not here (it left, or the server restarted): the same id, so peers recognise it.
    }
    const token = this.opts.resumeTokens.mint(room.name, id);

    // The first joiner makes the room end-to-end encrypted or not; everyone after must match.
    const e2ee = req.e2ee === true;
    if (room.size === 0) room.e2ee = e2ee;
    else if (room.e2ee !== e2ee) {
      this.opts.rooms.releaseIfEmpty(room);
      return this.#refuse(room.e2ee ? 'e2ee-required' : 'e2ee-off', ack, 'join');
    }

    const placed = this.#place(room, req, proven);
    if (placed !== null) {
      this.opts.rooms.releaseIfEmpty(room);
      return this.#refuse(placed, ack, 'join');
    }

    const self: Participant = {
      id,
      name: admission.name,
      media: req.media ?? { audio: true, video: true },
      joinedAt: before?.joinedAt ?? Date.now(),
    };
    const socket = this.socket;
    const canSfu = req.topologies?.includes('sfu') ?? false;
    room.add({
      participant: self,
      sfu: canSfu,
      send: (event, payload) => this.#send(event, payload),
      reconnect: () => socket.cut(),
      evict: () => {
        if (this.#grace) {
          // The old transport is already gone: the participant simply came back in time.
          this.#cancelGrace();
          this.#room = null;
          this.#self = null;
          return;
        }
        socket.emit('replaced', {});
        socket.disconnect();
      },
    });
    this.#room = room;
    this.#self = self;
    const hostBefore = access.hostId;
    access.add(
      {
        id,
        banKeys: [this.#client.key, id],
        address: this.#client.address,
        mayHost: admission.mayHost,
        send: (event, payload) => this.#send(event, payload),
        kick: (reason, banSeconds) => this.#kick(reason, banSeconds),
      },
      admission.asHost,
    );
    const reply = this.#joinReply(room, self, token);
    // Reply first so the newcomer knows the room before anyone can signal it.
    ack?.(reply);
    room.media?.join(id, (event, payload) => this.#send(event, payload));
    socket.emit('chat-history', { messages: room.chat.visibleTo(id) });
    if (before === null) room.broadcast('participant-joined', { participant: self }, id);
    // Taking back its own seat: the others never saw it go, so they hear only of what changed.
    else if (
      before.name !== self.name ||
      before.media.audio !== self.media.audio ||
      before.media.video !== self.media.video
    )
      room.broadcast('participant-updated', { participant: self }, id);
    // Back in a room taken over from another server: its hand (or spotlight) shows again.
    if (before === null && room.meeting.mentions(id)) publishMeeting(room);
    if (access.hostId !== hostBefore) access.publish();
    this.opts.metrics?.joined();
    this.log.info({ room: room.name, participant: id, size: room.size }, 'joined');
  }

  /** What a join is answered with: the room as the participant `self` finds it. */
  #joinReply(room: Room, self: Participant, token: string): JoinOk {
    const id = self.id;
    return {
      ok: true,
      room: room.name,
      self,
      participants: room.participants(id),
      iceServers: this.opts.iceServers(id),
      resumeToken: token,
      roomState: this.opts.access.of(room).stateFor(id),
      topology: room.topology,
      protocolVersion: PROTOCOL_VERSION,
      recording: room.recording.state(),
      meeting: room.meeting.view((p) => room.has(p)),
      e2ee: room.e2ee,
    };
  }

  /**
   * A join on a connection already in a room, asking for that room as the participant it already
   * is there (resume with its id and token): the answer it was given, as things stand now.
   * Anything else (another room, another id, no proof) is null: refused as already joined.
   */
  #joinedAlready(req: Extract<ClientEvent, { event: 'join' }>['payload']): JoinOk | null {
    const room = this.#room;
    const self = this.#self;
    const r = req.resume;
    if (!room || !self || req.room !== room.name || r === undefined || r.participantId !== self.id) return null;
    if (!this.opts.resumeTokens.verify(room.name, self.id, r.token)) return null;
    const member = room.get(self.id);
    if (!member || (req.e2ee === true) !== room.e2ee) return null;
    this.log.info({ room: room.name, participant: self.id }, 'join repeated: answered again');
    return this.#joinReply(room, member.participant, this.opts.resumeTokens.mint(room.name, self.id));
  }

  /**
   * Whether the joiner fits the room, moving the room to the forwarding unit when it outgrows the
   * mesh (ROOM_TOPOLOGY=auto) or starting it there (ROOM_TOPOLOGY=sfu). Returns the refusal, or
   * null when the joiner may take a seat.
   */
  #place(room: Room, req: Extract<ClientEvent, { event: 'join' }>['payload'], proven: boolean): ErrorId | null {
    const { mode, meshMax, roomMax } = this.opts.topology;
    const canSfu = req.topologies?.includes('sfu') ?? false;
    // A new room: through the forwarding unit from the start with ROOM_TOPOLOGY=sfu, or when the
    // participant who makes it was in a room through it before (the server restarted).
    if (room.size === 0 && room.topology === 'mesh' && mode !== 'mesh') {
      const wasSfu = proven && req.topology === 'sfu';
      if (mode === 'sfu' || (wasSfu && canSfu)) {
        const media = this.opts.topology.sfuRoom(room.name);
        if (media) room.useSfu(media, roomMax);
      }
    }
    if (room.topology === 'sfu') {
      if (!canSfu) return 'sfu-required';
      return room.isFull ? 'room-full' : null;
    }
    if (!room.isFull) return null;
    // A full mesh moves to the forwarding unit when everyone in it (and the joiner) can follow.
    if (mode !== 'auto' || !canSfu || !room.allSfuCapable || meshMax >= roomMax) return 'room-full';
    const media = this.opts.topology.sfuRoom(room.name);
    if (!media) return 'room-full';
    room.useSfu(media, roomMax);
    this.log.info({ room: room.name, size: room.size }, 'room moved to the forwarding unit');
    for (const m of room.members()) {
      // `topology` first: the client makes its forwarding-unit transport on it, which then hears `sfu-tracks`.
      m.send('topology', { topology: 'sfu' });
      media.join(m.participant.id, (event, payload) => m.send(event, payload));
    }
    return null;
  }

  /**
   * Send to this client, unless it has stopped reading: past `sendBufferMaxBytes` (or
   * SEND_BUFFER_MAX_PACKETS) queued toward it, nothing more is queued, the message is dropped and
   * the client is disconnected at once (what was buffered is freed; a real client reconnects and
   * resumes). Whoever sent it sees the client leave. One client that does not read cannot make
   * the server hold megabytes for it.
   */
  #send(event: string, payload: unknown): void {
    if (this.socket.disconnected) return;
    const backlog = this.socket.backlog();
    if (backlog.bytes > this.opts.sendBufferMaxBytes || backlog.packets > SEND_BUFFER_MAX_PACKETS) {
      this.log.warn(
        { room: this.#room?.name, participant: this.#self?.id, bytes: backlog.bytes, packets: backlog.packets },
        'disconnected: not reading what is sent to it',
      );
      this.socket.drop();
      return;
    }
    this.socket.emit(event, payload);
  }

  /**
   * A clean close (the client disconnected on purpose, or the server is closing) leaves at once;
   * a dropped transport gets a short grace so the same participant can resume unnoticed, and a
   * silent one (pings unanswered: the network went away) a longer one.
   */
  #disconnected(reason: string): void {
    if (reason === 'client namespace disconnect') return this.#leave('left');
    // Everyone is being disconnected and will rejoin the next server: nobody to tell.
    if (reason === 'server shutting down') return this.#leave('disconnected', false);
    if (reason === 'server namespace disconnect' || !this.#room) return this.#leave('disconnected');
    this.log.debug({ room: this.#room.name, participant: this.#self?.id, reason }, 'transport dropped');
    const grace = reason === 'ping timeout' ? SILENT_DISCONNECT_GRACE_MS : DISCONNECT_GRACE_MS;
    this.#grace = setTimeout(() => {
      this.#grace = null;
      this.#leave('disconnected');
    }, grace);
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
    room.media?.leave(self.id);
    if (reason === 'disconnected') this.opts.access.dropped(room.name, self.id);
    if (announce) room.broadcast('participant-left', { id: self.id, reason });
    // Gone for good (past the grace of a dropped connection): its recording ends with it.
    if (room.recording.stop(self.id)) publishRecording(room);
    // Not when the server stops: the room's state (hands included) goes on to the next server.
    if (announce && room.meeting.left(self.id)) publishMeeting(room);
    this.opts.access.afterLeave(room, self.id);
    this.opts.roomChanged?.(room.name);
    this.opts.rooms.releaseIfEmpty(room);
    this.opts.metrics?.left(reason);
    this.log.info({ room: room.name, participant: self.id, reason }, 'left');
  }
}

/** Serve Parley's protocol on a Socket.IO namespace. */
export function attachParleySignaling(nsp: Namespace, opts: ParleySignalingOptions): void {
  const log = opts.log.child({ subsystem: 'signaling' });
  const cluster = opts.cluster;
  if (cluster) cluster.serve((socket) => new Connection(socket, opts, log));
  nsp.on('connection', (socket) => {
    const local = new LocalSocket(socket, opts.clientOf(socket), opts.clientAddress(socket));
    socket.on('disconnect', (reason: string) => local.closed(reason));
    if (cluster) {
      // Events go to this server or to the server that holds the client's room.
      cluster.route(socket, local, () => new Connection(local, opts, log));
      return;
    }
    socket.onAny((event: string, ...args: unknown[]) => local.deliver(event, args));
    new Connection(local, opts, log);
  });
}

/** Connections of a cluster: how a socket's events reach the server that holds its room. */
export interface SignalingCluster {
  /** Serve connections whose socket is held by another server (`make` builds each one here). */
  serve(make: (socket: ClientSocket) => unknown): void;
  /** Route the events of a socket of this server; `local` is made the first time they stay here. */
  route(socket: Socket, local: LocalSocket, makeLocal: () => { readonly inRoom: boolean }): void;
}
