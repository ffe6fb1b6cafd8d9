import type { LobbyEntry, RemovedReason, RoomState } from '@parley/protocol';

/** What access control knows of one joined participant. */
export interface AccessPeer {
  readonly id: string;
  /** Keys a removal bans (client key, participant id). */
  readonly banKeys: readonly string[];
  /** The client's network address (banned too when the host asks; password work is counted on it). */
  readonly address: string;
  /** False for invitation holders whose token says `role: guest`. */
  readonly mayHost: boolean;
  send(event: string, payload: unknown): void;
  /** Take the participant out of the room (after telling it why). */
  kick(reason: RemovedReason, banSeconds?: number): void;
}

/** Someone waiting in the lobby. */
export interface Waiter extends LobbyEntry {
  /** The waiter's network address (never shown to the host). */
  address: string;
  admit(): void;
  deny(): void;
}

/**
 * Access state of one room: host, lock, password hash, lobby and the people waiting in it.
 * Peers are kept in join order, so the longest-present eligible peer inherits the host role.
 */
export class RoomAccess {
  readonly peers = new Map<string, AccessPeer>();
  readonly waiting = new Map<string, Waiter>();
  #hostId: string | null = null;
  /** Told after the host role moved (to someone, or to nobody). */
  onHostChange: ((hostId: string | null) => void) | null = null;

  get hostId(): string | null {
    return this.#hostId;
  }

  set hostId(id: string | null) {
    if (id === this.#hostId) return;
    this.#hostId = id;
    this.onHostChange?.(id);
  }
  locked = false;
  lobby = false;
  passwordHash: string | null = null;
  /**
   * The host of a room another server held before (it stopped): host again when it rejoins,
   * while whoever came back first holds the role meanwhile.
   */
  returningHost: string | null = null;

  /** Add a peer; it becomes host when asked to, or when the room has no host and it may host. */
  add(peer: AccessPeer, asHost: boolean): void {
    this.peers.set(peer.id, peer);
    const returning = peer.id === this.returningHost && peer.mayHost;
    if (returning) this.returningHost = null;
    if (asHost || returning || (this.hostId === null && peer.mayHost)) this.hostId = peer.id;
  }

  /** Remove a peer; returns true when the host role moved. */
  remove(id: string): boolean {
    if (!this.peers.delete(id)) return false;
    if (this.hostId !== id) return false;
    this.hostId = null;
    for (const p of this.peers.values()) {
      if (p.mayHost) {
        this.hostId = p.id;
        break;
      }
    }
    return true;
  }

  isHost(id: string): boolean {
    return this.hostId === id;
  }

  /** The state as `forId` sees it (the waiting list is for the host only). */
  stateFor(forId: string | null): RoomState {
    return {
      hostId: this.hostId,
      locked: this.locked,
      passwordSet: this.passwordHash !== null,
      lobby: this.lobby,
      waiting:
        forId !== null && forId === this.hostId
          ? [...this.waiting.values()].map(({ id, name, since }) => ({ id, name, since }))
          : [],
    };
  }

  /** Send every peer its view of the state. */
  publish(): void {
    for (const p of this.peers.values()) p.send('room-state', this.stateFor(p.id));
  }

  /** Send the host its view (after a lobby change that only the host sees). */
  publishToHost(): void {
    const host = this.hostId === null ? undefined : this.peers.get(this.hostId);
    host?.send('room-state', this.stateFor(host.id));
  }
}
