/**
 * The forwarding engine behind Parley's SFU. The rest of the server knows rooms, publishers,
 * subscribers and layers; only the engine's adapter (medooze.ts) knows the engine's own objects.
 * An engine moves RTP between peer connections without decoding it: it answers offers, receives
 * published tracks, and sends one received track to many subscribers, choosing a simulcast layer
 * per subscriber, with retransmissions, keyframe requests and congestion control of its own.
 */

export type MediaKind = 'audio' | 'video';

/** One simulcast layer (an encoding, by its `rid`) as the engine sees it arrive. */
export interface LayerInfo {
  rid: string;
  width: number;
  height: number;
  /** Bits per second it arrives at now (0 when it has stopped). */
  bitrate: number;
}

/** A track a participant publishes, as received by the engine. */
export interface EngineSource {
  readonly kind: MediaKind;
  readonly mid: string;
  /** The simulcast layers offered (`rid`s, in the order offered); empty for a single encoding. */
  readonly rids: readonly string[];
  /** The layers arriving now, smallest first. */
  layers(): LayerInfo[];
  /** Ask the publisher for a keyframe (PLI/FIR). */
  requestKeyframe(): void;
  /**
   * The next `count` video keyframes this track receives, as the encoded frames the engine
   * forwards (RTP payload descriptors removed), or fewer when `timeoutMs` passes first. Only the
   * server's test tap uses it, to show what the forwarding unit can see of end-to-end encrypted
   * media.
   */
  keyframes(count: number, timeoutMs: number): Promise<Uint8Array[]>;
  stop(): void;
}

/** A received track forwarded to one subscriber. */
export interface EngineSink {
  readonly mid: string;
  /** Forward this layer (`rid`), the only one for a single encoding (''), or nothing (null: paused). */
  select(rid: string | null): void;
  /** The layer forwarded now ('' for a single encoding, null when paused or not yet attached). */
  readonly selected: string | null;
  stop(): void;
}

export type ConnectionState = 'new' | 'connected' | 'failed' | 'closed';

/** One participant's peer connection to the engine (its publish or its subscribe connection). */
export interface EngineConnection {
  readonly state: ConnectionState;
  /** What the engine estimates it can send to this peer, bits per second (0: not known yet). */
  readonly sendBitrate: number;
  /**
   * Apply a publish offer (the first, or a renegotiation) and answer it. `tracks` names the
   * kind of each sending transceiver to receive, by mid; the result has the sources of every mid
   * in `tracks` (new ones made, kept ones reused) and the mids no longer received.
   */
  publish(offer: string, mids: readonly string[]): { answer: string; sources: Map<string, EngineSource> };
  /**
   * Apply a subscribe offer and answer it: each mid in `sinks` receives its source; every other
   * receiving transceiver is answered inactive. Sinks of mids no longer wanted are stopped.
   */
  subscribe(
    offer: string,
    sinks: ReadonlyMap<string, EngineSource>,
  ): { answer: string; sinks: Map<string, EngineSink> };
  on(event: 'state', listener: (state: ConnectionState) => void): void;
  close(): void;
}

/** Speaker detection over published microphones. */
export interface EngineSpeakerDetector {
  add(source: EngineSource, participantId: string): void;
  remove(source: EngineSource): void;
  /** Called with the participant who speaks now. */
  on(event: 'speaker', listener: (participantId: string) => void): void;
  stop(): void;
}

export interface SfuEngine {
  /** The engine and its version, for logs and /readyz. */
  readonly name: string;
  /** The UDP port every connection uses. */
  readonly port: number;
  /** The addresses announced in answers. */
  readonly addresses: readonly string[];
  connection(): EngineConnection;
  speakerDetector(): EngineSpeakerDetector;
  /**
   * Forwarding statistics for /metrics: connections now, and RTP packets sent to subscribers
   * (media, retransmissions and FEC) since the engine started, stopped tracks included.
   */
  stats(): { connections: number; forwardedPackets: number };
  close(): void;
}

/** Where the engine listens and what it announces (from the configuration). */
export interface EngineOptions {
  /** Addresses put in the answers' candidates (the server's public address behind NAT). */
  addresses: readonly string[];
  /** The UDP port range; the engine takes one port from it for every connection. */
  portMin: number;
  portMax: number;
}
