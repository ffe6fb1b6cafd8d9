/** IPC between the forwarding-unit benchmark and its synthetic-peer workers. */

/** What one group of synthetic participants does in a room. */
export interface PeerPlan {
  /** Server URL (http://127.0.0.1:port). */
  url: string;
  room: string;
  /** Display names; one participant each. */
  names: string[];
  /** Publish a camera track (synthetic VP8, ~1 Mbit/s). */
  video: boolean;
  /** Publish a microphone track (Opus-like, with the audio-level header extension). */
  audio: boolean;
  /**
   * Silent microphones send as Opus with DTX does (one packet every 400 ms instead of every
   * 20 ms). Default: speaking.
   */
  silent?: boolean;
  /**
   * Subscribe to the others' tracks once the room lists `expectTracks` of them: `all` tracks,
   * or none. Subscribers with `views` report that many videos as shown (320x180) and the
   * rest as hidden (0x0), so the server forwards only those.
   */
  subscribe: boolean;
  expectTracks: number;
  views?: number;
  /**
   * How subscribers receive: `werift` (its whole media path, ~50 µs of CPU per packet here) or
   * `lean` (werift sets up the connection, then bench/sfu/leanReceiver.ts counts packets from
   * their clear headers and sends the feedback). Default werift.
   */
  receiver?: 'werift' | 'lean';
}

export type ToWorker =
  | { type: 'open'; plan: PeerPlan }
  /** Publishers start (or stop) sending media. */
  | { type: 'send'; on: boolean }
  /** Start a measurement window: counters restart. */
  | { type: 'mark' }
  | { type: 'report' }
  | { type: 'close' };

export interface PeerReport {
  type: 'report';
  /** Media packets the publishers sent in the window. */
  sent: number;
  /** Media packets received, per kind, in the window. */
  receivedVideo: number;
  receivedAudio: number;
  /** Packets missing from the received sequences (gaps never filled), in the window. */
  lost: number;
  /** The video part of `lost`. */
  lostVideo: number;
  /** Received streams that got at least one packet in the window. */
  flowingStreams: number;
  /** Forwarding latency samples, ms (send time embedded in the payload). */
  latencies: Float64Array;
  /** CPU seconds of this worker process so far (user + system). */
  cpuSeconds: number;
}

export type FromWorker =
  | {
      type: 'opened';
      /** Participants that joined, published and subscribed. */
      ok: number;
      errors: string[];
      /** Per participant: join sent -> first media packet received, ms (NaN without media). */
      firstMediaMs: number[];
    }
  /** One participant joined and published (progress while `open` runs). */
  | { type: 'published' }
  | PeerReport
  | { type: 'closed' };
