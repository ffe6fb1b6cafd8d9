import {
  PARLEY_NAMESPACE,
  type AccessClientEventName,
  type AccessClientEvents,
  type AccessServerEvents,
  type ChatClientEvents,
  type ChatSend,
  type ChatSendReply,
  type ChatServerEvents,
  type CheckOk,
  type CheckReply,
  type CheckRequest,
  type ClientEvents,
  type ErrorId,
  type JoinOk,
  type JoinReply,
  type JoinRequest,
  type MediaState,
  type MeetingClientEventName,
  type MeetingClientEvents,
  type MeetingOkReply,
  type MeetingServerEvents,
  type OkReply,
  type RecordingClientEventName,
  type RecordingClientEvents,
  type RecordingServerEvents,
  type ServerEvents,
  type SfuAnswerReply,
  type SfuPublish,
  type SfuSubscribe,
  type SfuView,
  type AnySignalData,
} from '@parley/protocol';
import { io, type Socket } from 'socket.io-client';
import { Emitter } from '../emitter';
import { RECONNECT_DELAY_MAX_MS, RECONNECT_DELAY_MS, RECONNECT_JITTER } from '../media/liveness';

/** How long a request waits for the server's acknowledgement. */
export const REQUEST_TIMEOUT_MS = 10_000;

export class SignalingError extends Error {
  constructor(
    readonly id: ErrorId | 'timeout' | 'unreachable',
    message: string,
  ) {
    super(message);
    this.name = 'SignalingError';
  }
  static timeout(what: string): SignalingError {
    return new SignalingError('timeout', `${what}: the server did not answer in time`);
  }
}

export interface SignalingEvents extends AccessServerEvents {
  connected: () => void;
  disconnected: (reason: string) => void;
  'participant-joined': ServerEvents['participant-joined'];
  'participant-left': ServerEvents['participant-left'];
  'participant-updated': ServerEvents['participant-updated'];
  signal: ServerEvents['signal'];
  'protocol-error': ServerEvents['protocol-error'];
  replaced: () => void;
  /** The server is stopping; the connection closes next and is reopened automatically. */
  'server-shutdown': () => void;
  chat: ChatServerEvents['chat'];
  'chat-history': ChatServerEvents['chat-history'];
  'sfu-tracks': ServerEvents['sfu-tracks'];
  topology: ServerEvents['topology'];
  'active-speaker': ServerEvents['active-speaker'];
  'recording-state': RecordingServerEvents['recording-state'];
  /** Hands and spotlight: on each change, and from every join reply. */
  'meeting-state': MeetingServerEvents['meeting-state'];
  reaction: MeetingServerEvents['reaction'];
}

/**
 * The socket to the signaling server, speaking Parley's protocol. Plain TypeScript: no React.
 * WebSocket only (no long-polling round trips before the upgrade).
 */
export class SignalingClient extends Emitter<SignalingEvents> {
  readonly #socket: Socket<
    ServerEvents & ChatServerEvents & MeetingServerEvents,
    ClientEvents & ChatClientEvents & MeetingClientEvents
  >;

  constructor(url: string = window.location.origin) {
    super();
    this.#socket = io(url + PARLEY_NAMESPACE, {
      transports: ['websocket'],
      autoConnect: false,
      reconnection: true,
      reconnectionDelay: RECONNECT_DELAY_MS,
      reconnectionDelayMax: RECONNECT_DELAY_MAX_MS,
      randomizationFactor: RECONNECT_JITTER,
    });
    const s = this.#socket;
    s.on('connect', () => this.emit('connected'));
    s.on('disconnect', (reason) => {
      if (reason !== 'io client disconnect') console.warn(`[parley] signaling connection lost: ${reason}`);
      this.emit('disconnected', reason);
    });
    s.on('participant-joined', (m) => this.emit('participant-joined', m));
    s.on('participant-left', (m) => this.emit('participant-left', m));
    s.on('participant-updated', (m) => this.emit('participant-updated', m));
    s.on('signal', (m) => this.emit('signal', m));
    s.on('protocol-error', (m) => this.emit('protocol-error', m));
    s.on('replaced', () => this.emit('replaced'));
    s.on('room-state', (m) => this.emit('room-state', m));
    s.on('removed', (m) => this.emit('removed', m));
    s.on('mute-request', (m) => this.emit('mute-request', m));
    s.on('lobby-admitted', (m) => this.emit('lobby-admitted', m));
    s.on('lobby-denied', (m) => this.emit('lobby-denied', m));
    s.on('server-shutdown', () => this.emit('server-shutdown'));
    s.on('chat', (m) => this.emit('chat', m));
    s.on('chat-history', (m) => this.emit('chat-history', m));
    s.on('sfu-tracks', (m) => this.emit('sfu-tracks', m));
    s.on('topology', (m) => this.emit('topology', m));
    s.on('active-speaker', (m) => this.emit('active-speaker', m));
    s.on('recording-state', (m) => this.emit('recording-state', m));
    s.on('meeting-state', (m) => this.emit('meeting-state', m));
    s.on('reaction', (m) => this.emit('reaction', m));
  }

  get connected(): boolean {
    return this.#socket.connected;
  }

  /** Open the connection; resolves once connected (rejects if the server cannot be reached). */
  connect(): Promise<void> {
    const s = this.#socket;
    if (s.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const ok = (): void => {
        s.off('connect_error', fail);
        resolve();
      };
      const fail = (err: Error): void => {
        s.off('connect', ok);
        reject(new SignalingError('unreachable', `Cannot reach the server (${err.message}).`));
      };
      s.once('connect', ok);
      s.once('connect_error', fail);
      s.connect();
    });
  }

  async join(req: JoinRequest): Promise<JoinOk> {
    const reply = await this.#request<JoinReply>('join', req);
    if (!reply.ok) throw new SignalingError(reply.error, reply.message);
    // The room's hands and spotlight as of this join (a server before them: none).
    this.emit('meeting-state', reply.meeting ?? { hands: [], spotlight: null });
    return reply;
  }

  /**
   * Connection check without joining: ICE servers and the address the server sees. With the
   * room (and invitation) about to be joined, the answer can include the TURN relay.
   */
  async check(req: CheckRequest = {}): Promise<CheckOk> {
    const reply = await this.#request<CheckReply>('check', req);
    if (!reply.ok) throw new SignalingError(reply.error, reply.message);
    return reply;
  }

  /**
   * Send a signal to one participant. Fire-and-forget: ordering is what matters. While the
   * socket is down signals are dropped, not queued: the server would refuse them before the
   * rejoin, and links that miss a step are rebuilt after it.
   */
  signal(to: string, data: AnySignalData): void {
    if (!this.#socket.connected) return;
    this.#socket.emit('signal', { to, data });
  }

  setMedia(media: MediaState): void {
    this.#socket.emit('media-state', media);
  }

  /** Send a chat message; resolves with the server's answer, rejects on timeout or when offline. */
  sendChat(req: ChatSend): Promise<ChatSendReply> {
    return this.#request<ChatSendReply>('chat-send', req);
  }

  async leave(): Promise<void> {
    if (!this.#socket.connected) return;
    await this.#request<OkReply>('leave', {}).catch(() => undefined);
  }

  /** A host action or lobby answer; rejects with the server's refusal (`not-host`, ...). */
  async hostAction<K extends AccessClientEventName>(
    event: K,
    payload: Parameters<AccessClientEvents[K]>[0],
  ): Promise<void> {
    const reply = await this.#request<OkReply>(event, payload);
    if (!reply.ok) throw new SignalingError(reply.error, reply.message);
  }

  /** Announce a recording's start or stop, or set who may record; rejects with the server's refusal. */
  async recording<K extends RecordingClientEventName>(
    event: K,
    payload: Parameters<RecordingClientEvents[K]>[0],
  ): Promise<void> {
    const reply = await this.#request<OkReply>(event, payload);
    if (!reply.ok) throw new SignalingError(reply.error, reply.message);
  }

  /** A hand, reaction or spotlight request; resolves with the server's answer (refusals included). */
  meeting<K extends MeetingClientEventName>(
    event: K,
    payload: Parameters<MeetingClientEvents[K]>[0],
  ): Promise<MeetingOkReply> {
    return this.#request<MeetingOkReply>(event, payload);
  }

  /** Offer one of the forwarding unit's connections; resolves with its answer. */
  async sfuNegotiate(event: 'sfu-publish', req: SfuPublish): Promise<string>;
  async sfuNegotiate(event: 'sfu-subscribe', req: SfuSubscribe): Promise<string>;
  async sfuNegotiate(event: 'sfu-publish' | 'sfu-subscribe', req: SfuPublish | SfuSubscribe): Promise<string> {
    const reply = await this.#request<SfuAnswerReply>(event, req);
    if (!reply.ok) throw new SignalingError(reply.error, reply.message);
    return reply.description.sdp;
  }

  /** Tell the forwarding unit how large each received video is shown. Fire-and-forget. */
  sfuView(req: SfuView): void {
    if (this.#socket.connected) this.#socket.emit('sfu-view', req);
  }

  close(): void {
    this.#socket.disconnect();
    this.#socket.removeAllListeners();
    this.removeAllListeners();
  }

  #request<R>(
    event:
      | 'join'
      | 'leave'
      | 'check'
      | 'chat-send'
      | 'sfu-publish'
      | 'sfu-subscribe'
      | AccessClientEventName
      | RecordingClientEventName
      | MeetingClientEventName,
    payload: unknown,
  ): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      // Never let Socket.IO buffer a request while offline: it would be sent before `join`.
      if (!this.#socket.connected) return reject(new SignalingError('unreachable', `${event}: not connected`));
      this.#socket
        .timeout(REQUEST_TIMEOUT_MS)
        // @ts-expect-error the event union is narrowed by the callers above
        .emit(event, payload, (err: Error | null, reply: R) => {
          if (err) reject(SignalingError.timeout(event));
          else resolve(reply);
        });
    });
  }
}
