import type { FrameCryptoHook } from '../../e2ee/FrameCryptor';
import type { SignalingEvents } from '../../signaling/SignalingClient';
import type { IceServer, SfuPublish, SfuSubscribe, SfuView, SignalData, Topology, TrackRole } from '@parley/protocol';

/**
 * The seam between a call and the way its media travels. `Call` owns the session (phases,
 * signaling, local media) and tells its transport who is in the room; the transport owns every
 * media path: one peer connection per remote in a mesh (`mesh/MeshTransport`), or a publisher
 * and a subscriber connection to a forwarding unit (`sfu/SfuTransport`). Features
 * (files, screen sharing, quality, speaking) and the UI only ever see this interface.
 */

/** How the room's media travels (the join reply says which), and what a published track is. */
export type { Topology, TrackRole } from '@parley/protocol';

/** The media path to (or from) one participant: set up, working, recovering, given up, gone. */
export type RemoteMediaState = 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed';

/** One remote participant's media as the UI sees it. */
export interface RemoteMedia {
  participantId: string;
  /** The participant's camera and microphone. */
  stream: MediaStream;
  state: RemoteMediaState;
  /** Bumped when the stream's tracks change (or the path is replaced), so views re-attach. */
  tracksVersion: number;
}

export interface TransportEvents {
  /** A media path to `participantId` was opened (features such as files attach here). */
  'remote-added': (participantId: string) => void;
  /** Its state or its camera/microphone tracks changed. */
  'remote-changed': (participantId: string) => void;
  /** A track beyond the camera and microphone arrived (a screen share), with its role. */
  'remote-track': (participantId: string, track: MediaStreamTrack, role: TrackRole, stream: MediaStream | null) => void;
  /** The remote side opened a data channel to us. */
  datachannel: (participantId: string, channel: RTCDataChannel) => void;
  /**
   * The media path to `participantId` is gone: the participant left, the path was replaced, or
   * the transport was closed. Every `remote-added` is matched by exactly one of these.
   */
  'remote-removed': (participantId: string) => void;
  /** Who speaks now, when the transport knows it (the forwarding unit measures audio levels). */
  'active-speaker': (participantId: string | null) => void;
}

/** How large a received video is shown (device pixels); null: not shown at all. */
export type ViewSize = { width: number; height: number } | null;

/** What a transport needs from its call; read when needed, never copied. */
export interface TransportContext {
  selfId: string;
  iceServers: IceServer[];
  relayOnly: boolean;
  /** Limit the camera encoding as the room grows (see quality.ts). */
  adaptQuality: boolean;
  /** The local camera and microphone tracks now in use (null when missing). */
  localTrack(kind: 'audio' | 'video'): MediaStreamTrack | null;
  /** Send a signal to one participant through the server. */
  signal(to: string, data: SignalData): void;
  /** The forwarding unit's requests (SFU rooms); the mesh never uses them. */
  sfu: {
    negotiate(connection: 'publish', req: SfuPublish): Promise<string>;
    negotiate(connection: 'subscribe', req: SfuSubscribe): Promise<string>;
    view(req: SfuView): void;
  };
  /** Server events of forwarding-unit rooms; returns the unsubscribe. */
  onServer<K extends 'sfu-tracks' | 'active-speaker'>(event: K, listener: SignalingEvents[K]): () => void;
  /** True while signals can reach the others (joined, socket up). */
  canSignal(): boolean;
  /** Diagnostics for the console; never shown to people as-is. */
  warn(participantId: string, message: string, err?: unknown): void;
  /**
   * End-to-end encryption (E2EE rooms only): every media connection is made with its
   * configuration, and every sender and receiver gets its transform before media flows.
   */
  frameCrypto?: FrameCryptoHook | null;
}

/**
 * The call's media transport. Methods that name a participant ignore unknown ones; `close()`
 * is idempotent and emits `remote-removed` for every participant still open, exactly as if each
 * had left.
 */
export interface Transport {
  readonly topology: Topology;
  on<K extends keyof TransportEvents>(event: K, listener: TransportEvents[K]): () => void;

  /**
   * The join reply (first join or rejoin): these participants are in the room already and we
   * are the newcomer, so we open the media paths to them.
   */
  enterRoom(participantIds: string[]): void;
  /** Someone joined after us (they open the path; we answer). */
  participantJoined(participantId: string): void;
  /** A participant we know came back after its own signaling outage. */
  participantReturned(participantId: string): void;
  /**
   * A participant left the room (`left`), or was not seen again after our rejoin (`stale`: its
   * last connection is forgotten rather than remembered for its return).
   */
  participantLeft(participantId: string, reason?: 'left' | 'stale'): void;
  /** A signal from `from` (the server relays it as sent). */
  receive(from: string, data: SignalData): void;

  /** Put a new camera or microphone track in place of the current one (no renegotiation). */
  replaceTrack(kind: 'audio' | 'video', track: MediaStreamTrack | null): Promise<void>;
  /** Send one more track (a screen share) to everyone, now and to whoever comes later. */
  publish(track: MediaStreamTrack, role: 'screen' | 'screen-audio', stream: MediaStream): void;
  /** Stop sending a published track; the others see it end. */
  unpublish(track: MediaStreamTrack): void;

  /** The data channel that carries control messages to `participantId` (null until open). */
  controlChannel(participantId: string): RTCDataChannel | null;
  /** Open one more data channel to `participantId` (null when there is no path to it). */
  openDataChannel(participantId: string, label: string, init?: RTCDataChannelInit): RTCDataChannel | null;

  /**
   * Make sure a data path to `participantId` exists. In a mesh every pair has one already; a
   * forwarding-unit room opens a direct one on demand (its control channel then arrives as a
   * `datachannel` event).
   */
  connectData(participantId: string): void;
  /**
   * How large the participant's camera (or screen) is shown here, so a forwarding unit sends the
   * layer that fits, or no video at all for a hidden tile. A mesh ignores it.
   */
  setView(participantId: string, role: 'camera' | 'screen', size: ViewSize): void;

  /** The media of one remote participant, or null when there is no path to it. */
  remote(participantId: string): RemoteMedia | null;
  /** The participants there is a media path to. */
  participantIds(): string[];
  /** Raw WebRTC statistics per remote participant id. */
  stats(): Promise<Record<string, RTCStats[]>>;
  /**
   * The DTLS certificate fingerprints of a direct connection to the participant (ours, and theirs
   * as the signaling server delivered it), for verification codes; null without a direct
   * connection (through the forwarding unit, DTLS ends at the server).
   */
  fingerprints(participantId: string): { local: string; remote: string } | null;

  /** Fault injection for tests and diagnostics: lose the path to one participant as a crash would. */
  simulateTransportLoss(participantId: string): void;
  /** Close every media path (idempotent). */
  close(): void;
}

/** Makes the transport for a room's topology. `Call` receives one; tests hand it a fake. */
export interface TransportFactory {
  /** The topologies this factory can make (sent in the join request). */
  readonly topologies: readonly Topology[];
  /** Work worth starting before the join (a DTLS certificate), run alongside media and signaling. */
  warmUp(): Promise<void>;
  create(topology: Topology, ctx: TransportContext): Transport;
  /** The call ended: drop whatever was made ahead of time for it. */
  dispose(): void;
}
