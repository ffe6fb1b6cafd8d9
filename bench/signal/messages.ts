/** What the signaling benchmark's parent process and its load-generator workers say to each other. */

/** The server under test and the protocol its clients speak. */
/** `bare-seed`: a bare Socket.IO relay of the seed protocol (the seed's reference). */
export type Target = 'parley' | 'seed' | 'bare' | 'bare-seed';

export interface RoomPlan {
  name: string;
  size: number;
  /**
   * Which of the connect message's `urls` each member (by position) connects to; default the
   * first for everyone.
   */
  servers?: number[];
}

/** Parent -> worker. */
export type ToWorker =
  | {
      type: 'connect';
      /** The servers under test; a room's members pick theirs by `RoomPlan.servers`. */
      urls: string[];
      target: Target;
      /**
       * socket.io-client transports: `['websocket']`, or `['polling', 'websocket']` as a client
       * with the library's defaults connects (long-polling first, then the upgrade).
       */
      transports: string[];
      /** This worker's rooms; every member of a room lives in the same worker. */
      rooms: RoomPlan[];
      /** Most connect+join attempts in flight at once; 0 opens every client at once (a storm). */
      concurrency: number;
      /** A client that is not connected and joined after this long counts as failed. */
      timeoutMs: number;
    }
  | {
      type: 'signal';
      /** Signals per second sent by each client. */
      rate: number;
      durationMs: number;
      /** Stop waiting for outstanding deliveries after this long without one (at most 60 s). */
      drainMs: number;
    }
  /** Ask for the counters of events that arrive after joining (sent back as `report`). */
  | { type: 'report' }
  | { type: 'close' };

/** Worker -> parent. */
export type FromWorker =
  /** The worker has loaded and listens for commands. */
  | { type: 'ready' }
  | {
      type: 'connected';
      /** Milliseconds from opening each client to its join being acknowledged, successes only. */
      joinMs: Float64Array;
      failed: number;
      /** Failure reasons and their counts. */
      errors: Record<string, number>;
    }
  | {
      type: 'report';
      /** Seed protocol: `ready` events seen (a complete room of k yields k(k-1)/2). */
      readies: number;
      /** Clients whose connection dropped without the benchmark closing it. */
      dropped: number;
    }
  | {
      type: 'signalled';
      sent: number;
      /** Deliveries the protocol promises for what was sent (addressed: 1 each; seed: room size - 1). */
      expected: number;
      delivered: number;
      /** Relay latency of each delivery, milliseconds (sender's clock = receiver's clock). */
      latencies: Float64Array;
      /**
       * Who sent and who received each delivery (same order as `latencies`): the client's slot,
       * its place in the connect message's rooms and their members in order (room 0's members,
       * then room 1's, ...). The sender is NO_SLOT where the protocol does not name it (seed).
       */
      senders: Uint32Array;
      receivers: Uint32Array;
      /** Clients whose connection dropped without the benchmark closing it. */
      dropped: number;
      /** Signals the server refused (`protocol-error` or a non-ok acknowledgement). */
      refused: number;
    }
  | { type: 'closed' };

/** `senders` value of a delivery whose sender is not known. */
export const NO_SLOT = 0xffffffff;
