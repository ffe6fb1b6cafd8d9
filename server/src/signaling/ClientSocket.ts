import type { Socket } from 'socket.io';
import type { ClientId } from '../limits/ClientLimits';
import { dropTransport, sendBacklog } from '../limits/connectionBounds';

/**
 * What a signaling connection (`Connection` in ParleySignaling) needs of its client: a Socket.IO
 * socket on this server, or, with REDIS_URL, a socket held by another server of the cluster
 * whose room lives here (`cluster/HomeSockets`). Inbound events are pushed by whoever owns the
 * transport (`deliver`, `closed`).
 */
export interface ClientSocket {
  /** Unique among the cluster's sockets. */
  readonly id: string;
  readonly disconnected: boolean;
  /** Who the client is (network and cookie key) and its address, read once at connection. */
  readonly client: ClientId;
  readonly address: string;
  emit(event: string, payload: unknown): void;
  /** Close from the server side: the client is told and does not reconnect on its own. */
  disconnect(): void;
  /** Drop a client that does not read: nothing more is written, the transport is cut. */
  drop(): void;
  /** Close the transport after what is queued: the client sees a transport close, reconnects and rejoins. */
  cut(): void;
  /** Bytes and packets queued toward the client and not yet written. */
  backlog(): { bytes: number; packets: number };
  onEvent(handler: (event: string, args: unknown[]) => void): void;
  onDisconnect(handler: (reason: string) => void): void;
}

/** Base for sockets whose inbound side is fed from outside. */
export abstract class FedSocket implements ClientSocket {
  #onEvent: ((event: string, args: unknown[]) => void) | null = null;
  #onDisconnect: ((reason: string) => void) | null = null;
  #closed = false;

  constructor(
    readonly id: string,
    readonly client: ClientId,
    readonly address: string,
  ) {}

  abstract emit(event: string, payload: unknown): void;
  abstract disconnect(): void;
  abstract drop(): void;
  abstract cut(): void;
  abstract backlog(): { bytes: number; packets: number };

  get disconnected(): boolean {
    return this.#closed;
  }

  onEvent(handler: (event: string, args: unknown[]) => void): void {
    this.#onEvent = handler;
  }

  onDisconnect(handler: (reason: string) => void): void {
    this.#onDisconnect = handler;
  }

  /** An inbound event (the last argument may be an acknowledgement callback). */
  deliver(event: string, args: unknown[]): void {
    if (!this.#closed) this.#onEvent?.(event, args);
  }

  /** The client is gone (once): `reason` as Socket.IO names disconnect reasons. */
  closed(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#onDisconnect?.(reason);
  }
}

/** A Socket.IO socket of this server. */
export class LocalSocket extends FedSocket {
  constructor(
    readonly socket: Socket,
    client: ClientId,
    address: string,
  ) {
    super(socket.id, client, address);
  }

  override get disconnected(): boolean {
    return super.disconnected || this.socket.disconnected;
  }

  emit(event: string, payload: unknown): void {
    this.socket.emit(event, payload);
  }

  disconnect(): void {
    this.socket.disconnect(true);
  }

  drop(): void {
    dropTransport(this.socket);
  }

  cut(): void {
    this.socket.conn.close();
  }

  backlog(): { bytes: number; packets: number } {
    return sendBacklog(this.socket);
  }
}
