import {
  errorMessages,
  LOBBY_MAX,
  type AccessClientEventName,
  type ClientEvent,
  type ErrorId,
  type RoomState,
} from '@parley/protocol';
import { GateFullError } from '../limits/WorkGate';
import { PasswordBudget } from '../limits/PasswordBudget';
import type { Logger } from '../logger';
import type { Room } from '../Room';
import type { RoomRegistry } from '../RoomRegistry';
import { addressKey, BanList } from './BanList';
import { checkInvitation } from './invitations';
import { PasswordHasher } from './passwords';
import { RoomAccess, type AccessPeer } from './RoomAccess';

/**
 * How long a participant whose connection dropped may come back (resume) without passing the
 * room's gates again: a signaling blip must not land someone in the lobby or at the lock.
 */
export const RESUME_GRACE_MS = 60_000;

/**
 * How long a lobby admission may wait to be used. The admitted client joins again at once; an
 * admission kept for later must not open the room after the host has changed their mind.
 */
export const ADMISSION_MS = 60_000;

/** A host's "let them in": good for one room instance (not its name), for ADMISSION_MS. */
export interface Admitted {
  readonly room: Room;
  readonly until: number;
}

export interface AccessOptions {
  /** HS256 secret for invitation tokens; when set, every join needs a valid token. */
  accessSecret: string | null;
  /** How long a removed participant stays out of the room, in milliseconds. */
  banMs: number;
  /** Longest lifetime of an invitation, in seconds (INVITE_MAX_TTL). */
  inviteMaxTtl?: number;
  log: Logger;
  /** Hashes and checks room passwords (bounded concurrency). Default: one at a time, 8 waiting. */
  passwords?: PasswordHasher;
  /** Password work per address and per room. Default: unlimited. */
  passwordBudget?: PasswordBudget;
  /** Most people from one address waiting in one room's lobby; 0 = only LOBBY_MAX. Default 0. */
  lobbyPerAddress?: number;
  /** The host role of `room` moved (a handover, the host leaving, a host joining). */
  hostChanged?: (room: Room, hostId: string | null) => void;
}

/** Refusals of a password check besides a wrong password. */
type PasswordRefusal = 'wrong-password' | 'password-limited' | 'server-busy';

type JoinPayload = Extract<ClientEvent, { event: 'join' }>['payload'];

/** The joining connection, as admission sees it. */
export interface Joiner {
  /** A live participant of the room reconnecting with its resume token: it was let in already. */
  readonly resuming: boolean;
  /** Stable key of this connection while it waits in a lobby. */
  readonly lobbyId: string;
  /** Keys a ban is matched against (client key, address key, resumed id). */
  readonly banKeys: readonly string[];
  /** The client's network address (password work and lobby places are counted on it). */
  readonly address: string;
  /** The admission this connection got from a lobby, if any. */
  readonly admitted: Admitted | null;
  /** Called when the host answers while this connection waits in the lobby of `room`. */
  lobbyAnswer(room: Room, admitted: boolean): void;
}

export type Admission =
  | { ok: true; room: Room; access: RoomAccess; name: string; asHost: boolean; mayHost: boolean }
  | { ok: false; error: ErrorId; message?: string };

type HostEvent = Extract<ClientEvent, { event: AccessClientEventName }>;

export type HostReply = { ok: true } | { ok: false; error: ErrorId; message?: string };

/**
 * Who may enter which room, and the host's powers. Owns every room's access state (kept beside
 * the Room, dropped with it), the ban list and the invitation check. Enforced here, on the
 * server: clients only ask.
 */
export class AccessControl {
  readonly #rooms = new WeakMap<Room, RoomAccess>();
  readonly bans = new BanList();
  /** Participants who dropped recently, by room: id -> until when they may resume past the gates. */
  readonly #dropped = new Map<string, Map<string, number>>();
  readonly #passwords: PasswordHasher;
  readonly #budget: PasswordBudget;

  constructor(
    readonly registry: RoomRegistry,
    readonly opts: AccessOptions,
  ) {
    this.#passwords = opts.passwords ?? new PasswordHasher();
    this.#budget = opts.passwordBudget ?? new PasswordBudget(0, 0);
  }

  /**
   * Check `password` against `hash` for `address` in `room`, within the password budget and the
   * hashing gate: null when it matches, else why not.
   */
  async #checkPassword(password: string, hash: string, address: string, room: string): Promise<PasswordRefusal | null> {
    if (!this.#budget.begin(address, room)) return 'password-limited';
    let ok: boolean;
    try {
      ok = await this.#passwords.verify(password, hash);
    } catch (err) {
      if (err instanceof GateFullError) return 'server-busy';
      throw err;
    }
    if (ok) return null;
    this.#budget.failed(address, room);
    return 'wrong-password';
  }

  of(room: Room): RoomAccess {
    let a = this.#rooms.get(room);
    if (!a) {
      a = new RoomAccess();
      const hostChanged = this.opts.hostChanged;
      if (hostChanged) a.onHostChange = (hostId) => hostChanged(room, hostId);
      this.#rooms.set(room, a);
    }
    return a;
  }

  /** Decide whether `joiner` may enter `req.room` now; may place it in the lobby (`in-lobby`). */
  async admit(req: JoinPayload, joiner: Joiner): Promise<Admission> {
    let name = req.name;
    let asHost = false;
    let mayHost = true;
    if (this.opts.accessSecret !== null) {
      if (!req.token) return { ok: false, error: 'token-required' };
      const inv = checkInvitation(req.token, this.opts.accessSecret, req.room, Date.now(), this.opts.inviteMaxTtl);
      if (!inv.ok) return inv;
      // Normalised and length-checked like a typed name by the claims schema.
      if (inv.claims.name !== undefined) name = inv.claims.name;
      asHost = inv.claims.role === 'host';
      mayHost = inv.claims.role !== 'guest';
    }
    const banned = this.bans.remaining(req.room, joiner.banKeys);
    if (banned > 0) {
      const minutes = Math.ceil(banned / 60_000);
      return {
        ok: false,
        error: 'banned',
        message: `${errorMessages.banned} Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
      };
    }
    let verified: string | null = null;
    for (;;) {
      const room = this.registry.getOrCreate(req.room);
      const access = this.of(room);
      const refuse = (error: ErrorId, message?: string): Admission => {
        this.registry.releaseIfEmpty(room);
        return message === undefined ? { ok: false, error } : { ok: false, error, message };
      };
      // The first one in opens the room; a host invitation or a seat being resumed skips the
      // gates. A lobby admission skips only the lobby, of this very room instance, while fresh:
      // a lock or a new password set after it still apply.
      const open = room.size === 0 || asHost || joiner.resuming;
      const admitted = joiner.admitted !== null && joiner.admitted.room === room && joiner.admitted.until > Date.now();
      if (!open) {
        if (access.locked) return refuse('room-locked');
        const hash = access.passwordHash;
        if (hash !== null && hash !== verified) {
          if (!req.password) return refuse('password-required');
          const refused = await this.#checkPassword(req.password, hash, joiner.address, room.name);
          if (refused !== null) return refuse(refused);
          verified = hash;
          continue; // the room may have changed while hashing: check again
        }
        if (access.lobby && !admitted) {
          if (!access.waiting.has(joiner.lobbyId)) {
            if (access.waiting.size >= LOBBY_MAX) return refuse('lobby-full');
            if (this.#lobbyPlacesTaken(access, joiner.address)) {
              return refuse('lobby-full', 'Too many people from your network are already waiting to enter this room.');
            }
            access.waiting.set(joiner.lobbyId, {
              id: joiner.lobbyId,
              address: joiner.address,
              name,
              since: Date.now(),
              admit: () => joiner.lobbyAnswer(room, true),
              deny: () => joiner.lobbyAnswer(room, false),
            });
            access.publishToHost();
          }
          return { ok: false, error: 'in-lobby' };
        }
      }
      // Whether the joiner fits (or the room grows into the forwarding unit) is the signaling's
      // call, made once a resuming participant's own seat is freed (ParleySignaling#place).
      return { ok: true, room, access, name, asHost, mayHost };
    }
  }

  /**
   * May a connection check (made before joining) carry TURN credentials? Held to the gates a
   * join meets first: on an invitation-only server a valid invitation for `req.room`, and never
   * for a room the client is banned from. (Lock, password and lobby come later, at the join.)
   */
  relayGate(req: { room?: string; token?: string }, banKeys: readonly string[]): HostReply {
    if (this.opts.accessSecret !== null) {
      if (req.room === undefined || req.token === undefined) return { ok: false, error: 'token-required' };
      const inv = checkInvitation(req.token, this.opts.accessSecret, req.room, Date.now(), this.opts.inviteMaxTtl);
      if (!inv.ok) return inv;
    }
    if (req.room !== undefined && this.bans.remaining(req.room, banKeys) > 0) return { ok: false, error: 'banned' };
    return { ok: true };
  }

  /** Does `address` hold all the lobby places one address may take in this room? */
  #lobbyPlacesTaken(access: RoomAccess, address: string): boolean {
    const max = this.opts.lobbyPerAddress ?? 0;
    if (max <= 0) return false;
    let n = 0;
    for (const w of access.waiting.values()) if (w.address === address && ++n >= max) return true;
    return false;
  }

  /** Remember a participant whose connection dropped, so it can resume within the grace time. */
  dropped(roomName: string, id: string): void {
    let m = this.#dropped.get(roomName);
    if (!m) {
      m = new Map();
      this.#dropped.set(roomName, m);
    }
    m.set(id, Date.now() + RESUME_GRACE_MS);
  }

  /**
   * Did `id` drop out of `roomName` within the grace time? Only ask for an id whose resume token
   * was verified: the record says when, the token says who.
   */
  recentlyDropped(roomName: string, id: string): boolean {
    const until = this.#dropped.get(roomName)?.get(id);
    return until !== undefined && until > Date.now();
  }

  /** Participants of `roomName` by id with the time until which they may still resume (for another server). */
  droppedIn(roomName: string): Array<[string, number]> {
    const now = Date.now();
    return [...(this.#dropped.get(roomName) ?? [])].filter(([, until]) => until > now);
  }

  /** Forget expired drop records (call now and then). */
  prune(): void {
    const now = Date.now();
    for (const [room, m] of this.#dropped) {
      for (const [id, until] of m) if (until <= now) m.delete(id);
      if (m.size === 0) this.#dropped.delete(room);
    }
    this.bans.prune();
  }

  /** A waiting connection went away or gave up: take it off the lobby list. */
  leaveLobby(roomName: string, lobbyId: string): void {
    const room = this.registry.get(roomName);
    if (!room) return;
    const access = this.of(room);
    if (access.waiting.delete(lobbyId)) access.publishToHost();
  }

  /** After a member left: move the host role, publish, and let waiters in when the room emptied. */
  afterLeave(room: Room, id: string): void {
    const access = this.of(room);
    const moved = access.remove(id);
    if (room.size === 0) {
      // Nobody is left to answer: the room starts afresh, and whoever waited may try again. Their
      // admission is to this instance, which goes now: they meet whatever the next one asks.
      for (const w of [...access.waiting.values()]) w.admit();
      access.waiting.clear();
      return;
    }
    if (moved) {
      access.publish();
      this.opts.log.info({ room: room.name, host: access.hostId }, 'host changed');
    }
  }

  /** Carry out a host action from participant `selfId` in `room`. */
  async hostAction(room: Room, selfId: string, msg: HostEvent): Promise<HostReply> {
    const access = this.of(room);
    if (!access.isHost(selfId)) return { ok: false, error: 'not-host' };
    const target = (id: string): AccessPeer | undefined => (id === selfId ? undefined : access.peers.get(id));
    const log = this.opts.log;
    switch (msg.event) {
      case 'room-lock':
        access.locked = msg.payload.locked;
        access.publish();
        log.info({ room: room.name, locked: access.locked }, 'room lock changed');
        return { ok: true };
      case 'room-password': {
        const pw = msg.payload.password;
        let hash: string | null = null;
        if (pw !== null) {
          // Setting a password is password work too: counted on the host's address and the room.
          const address = access.peers.get(selfId)?.address ?? '';
          if (!this.#budget.begin(address, room.name)) return { ok: false, error: 'password-limited' };
          try {
            hash = await this.#passwords.hash(pw);
          } catch (err) {
            if (err instanceof GateFullError) return { ok: false, error: 'server-busy' };
            throw err;
          }
        }
        // The host may have changed while hashing.
        if (!access.isHost(selfId)) return { ok: false, error: 'not-host' };
        access.passwordHash = hash;
        access.publish();
        log.info({ room: room.name, passwordSet: hash !== null }, 'room password changed');
        return { ok: true };
      }
      case 'room-lobby':
        access.lobby = msg.payload.enabled;
        if (!access.lobby) {
          for (const w of [...access.waiting.values()]) w.admit();
          access.waiting.clear();
        }
        access.publish();
        log.info({ room: room.name, lobby: access.lobby }, 'room lobby changed');
        return { ok: true };
      case 'room-end': {
        for (const w of [...access.waiting.values()]) w.deny();
        access.waiting.clear();
        const peers = [...access.peers.values()];
        for (const p of peers) if (p.id !== selfId) p.kick('ended');
        access.peers.get(selfId)?.kick('ended');
        log.info({ room: room.name, participants: peers.length }, 'call ended by host');
        return { ok: true };
      }
      case 'host-transfer': {
        const t = target(msg.payload.id);
        if (!t) return { ok: false, error: 'unknown-participant' };
        // An invitation that says `role: guest` is the operator's word: no host can overrule it.
        if (!t.mayHost) return { ok: false, error: 'cannot-host' };
        access.hostId = t.id;
        access.publish();
        log.info({ room: room.name, host: t.id }, 'host handed over');
        return { ok: true };
      }
      case 'participant-remove': {
        const t = target(msg.payload.id);
        if (!t) return { ok: false, error: 'unknown-participant' };
        const banAddress = msg.payload.banAddress === true;
        const keys = banAddress ? [...t.banKeys, addressKey(t.address)] : t.banKeys;
        this.bans.ban(room.name, keys, this.opts.banMs);
        t.kick('removed', Math.ceil(this.opts.banMs / 1000));
        log.info({ room: room.name, participant: t.id, banAddress }, 'participant removed by host');
        return { ok: true };
      }
      case 'participant-mute': {
        const id = msg.payload.id;
        if (id === undefined) {
          for (const p of access.peers.values()) if (p.id !== selfId) p.send('mute-request', { by: selfId });
          return { ok: true };
        }
        const t = target(id);
        if (!t) return { ok: false, error: 'unknown-participant' };
        t.send('mute-request', { by: selfId });
        return { ok: true };
      }
      case 'lobby-admit':
      case 'lobby-deny': {
        const w = access.waiting.get(msg.payload.id);
        if (!w) return { ok: false, error: 'unknown-participant' };
        access.waiting.delete(w.id);
        if (msg.event === 'lobby-admit') w.admit();
        else w.deny();
        access.publishToHost();
        return { ok: true };
      }
      case 'lobby-clear': {
        const waiters = [...access.waiting.values()];
        access.waiting.clear();
        for (const w of waiters) w.deny();
        access.publishToHost();
        log.info({ room: room.name, refused: waiters.length }, 'lobby cleared by host');
        return { ok: true };
      }
    }
  }

  stateFor(room: Room, id: string): RoomState {
    return this.of(room).stateFor(id);
  }
}
