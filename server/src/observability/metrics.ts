import type { ErrorId } from '@parley/protocol';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { SignalingMetrics } from '../signaling/ParleySignaling';
import { version } from '../version';

/** What the cluster reports for /metrics. */
export interface ClusterFigures {
  up: boolean;
  rooms: number;
  remote: number;
  routed: number;
}

/** The budgets whose refusals are counted (parley_budget_refusals_total). */
export type Budget = 'joins' | 'relay-checks' | 'passwords' | 'password-hashes' | 'lobby' | 'queue' | 'meeting';

/** Live values read when /metrics is scraped (no bookkeeping on the hot path). */
export interface MetricsSources {
  connectedSockets(): number;
  rooms(): number;
  participants(): number;
  draining(): boolean;
  /** Rooms whose media goes through the forwarding unit, and its media connections. */
  sfuRooms?(): number;
  sfuConnections?(): number;
  /** RTP packets the forwarding unit sent to subscribers so far (never decreases). */
  sfuForwardedPackets?(): number;
  /** With REDIS_URL: whether Redis is reachable, and the connections routed between servers. */
  cluster?(): ClusterFigures | null;
}

/**
 * Parley's Prometheus metrics, in a registry of their own (one per server, so several servers
 * in one process do not share counters). Gauges are read from the sources at scrape time;
 * counters move once per join, leave, refusal or TURN credential.
 */
export class ParleyMetrics implements SignalingMetrics {
  readonly registry = new Registry();
  readonly #joins: Counter;
  readonly #leaves: Counter<'reason'>;
  readonly #rejected: Counter<'reason'>;
  readonly #turnCredentials: Counter;
  readonly #refusedConnections: Counter<'stage' | 'reason' | 'namespace'>;
  readonly #seedRejected: Counter<'reason'>;
  readonly #joinDuration: Histogram<'result'>;
  readonly #relayDuration: Histogram;
  readonly #rateLimited: Counter<'namespace' | 'action'>;
  readonly #budgetRefusals: Counter<'budget'>;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 20 });
    new Gauge({
      name: 'parley_info',
      help: 'Parley build information (always 1).',
      labelNames: ['version'],
      registers,
    }).set({ version }, 1);
    new Gauge({
      name: 'parley_connected_sockets',
      help: 'Open signaling connections (all protocols).',
      registers,
      collect() {
        this.set(sources.connectedSockets());
      },
    });
    new Gauge({
      name: 'parley_rooms',
      help: 'Rooms with at least one participant.',
      registers,
      collect() {
        this.set(sources.rooms());
      },
    });
    new Gauge({
      name: 'parley_participants',
      help: 'Participants in rooms.',
      registers,
      collect() {
        this.set(sources.participants());
      },
    });
    new Gauge({
      name: 'parley_sfu_rooms',
      help: "Rooms whose media goes through the server's forwarding unit.",
      registers,
      collect() {
        this.set(sources.sfuRooms?.() ?? 0);
      },
    });
    new Gauge({
      name: 'parley_sfu_connections',
      help: 'Media connections (publish and subscribe) of the forwarding unit.',
      registers,
      collect() {
        this.set(sources.sfuConnections?.() ?? 0);
      },
    });
    let forwarded = 0;
    new Counter({
      name: 'parley_sfu_forwarded_packets_total',
      help: 'RTP packets the forwarding unit sent to subscribers (media, retransmissions and FEC).',
      registers,
      collect() {
        // A restarted engine counts from zero again: what it sent since then is all new.
        const now = sources.sfuForwardedPackets?.() ?? 0;
        this.inc(now >= forwarded ? now - forwarded : now);
        forwarded = now;
      },
    });
    const cluster = sources.cluster;
    if (cluster) {
      const gauge = (name: string, help: string, read: (c: ClusterFigures) => number) =>
        new Gauge({
          name,
          help,
          registers,
          collect() {
            const c = cluster();
            if (c) this.set(read(c));
          },
        });
      gauge('parley_redis_up', '1 while this server reaches Redis (REDIS_URL).', (c) => (c.up ? 1 : 0));
      gauge(
        'parley_cluster_rooms',
        'Rooms this server holds (their home) among the servers sharing rooms.',
        (c) => c.rooms,
      );
      gauge(
        'parley_cluster_remote_connections',
        "Other servers' sockets in rooms held here (their events arrive through Redis).",
        (c) => c.remote,
      );
      gauge(
        'parley_cluster_routed_connections',
        "This server's sockets whose room another server holds.",
        (c) => c.routed,
      );
    }
    new Gauge({
      name: 'parley_draining',
      help: '1 while the server shuts down and refuses joins.',
      registers,
      collect() {
        this.set(sources.draining() ? 1 : 0);
      },
    });
    this.#joins = new Counter({ name: 'parley_joins_total', help: 'Successful joins (including rejoins).', registers });
    this.#leaves = new Counter({
      name: 'parley_leaves_total',
      help: 'Participants who left a room, by reason (left, disconnected or removed by the host).',
      labelNames: ['reason'],
      registers,
    });
    this.#rejected = new Counter({
      name: 'parley_rejected_messages_total',
      help: 'Client messages refused, by error id.',
      labelNames: ['reason'],
      registers,
    });
    this.#refusedConnections = new Counter({
      name: 'parley_refused_connections_total',
      help: 'Signaling connections refused or closed by the server: at the handshake (rate limits, reason client, address, newcomers or penalty), for their origin, or for a frame over the payload bounds (reason payload-bounds or undecodable).',
      labelNames: ['stage', 'reason', 'namespace'],
      registers,
    });
    this.#seedRejected = new Counter({
      name: 'parley_seed_rejected_messages_total',
      help: 'Seed-protocol messages (namespace /) refused, by error id.',
      labelNames: ['reason'],
      registers,
    });
    this.#joinDuration = new Histogram({
      name: 'parley_join_duration_seconds',
      help: 'Time from a join request to its answer, by result (joined, waiting for the lobby or a password, refused).',
      labelNames: ['result'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.#relayDuration = new Histogram({
      name: 'parley_signal_relay_duration_seconds',
      help: 'Time from receiving a signal (offer, answer, candidate) to handing it to its recipient.',
      buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25],
      registers,
    });
    this.#rateLimited = new Counter({
      name: 'parley_rate_limited_messages_total',
      help: "Messages over a connection's message rate (RATE_MESSAGES_PER_SECOND), by namespace and action: refused with an answer, refused quietly, or the connection closed.",
      labelNames: ['namespace', 'action'],
      registers,
    });
    this.#budgetRefusals = new Counter({
      name: 'parley_budget_refusals_total',
      help: 'Requests refused for a budget: joins per minute, relay checks, password work, password hashes queued, lobby places, requests waiting on one connection, meeting reactions.',
      labelNames: ['budget'],
      registers,
    });
    this.#turnCredentials = new Counter({
      name: 'parley_turn_credentials_issued_total',
      help: 'Time-limited TURN credentials handed out.',
      registers,
    });
  }

  joined(): void {
    this.#joins.inc();
  }

  left(reason: 'left' | 'disconnected' | 'removed'): void {
    this.#leaves.inc({ reason });
  }

  rejected(reason: ErrorId): void {
    this.#rejected.inc({ reason });
  }

  /**
   * A connection refused at the handshake (`*` namespace), for its origin, for a frame, or by a
   * namespace that is off (the seed protocol with SEED_PROTOCOL=off).
   */
  connectionRefused(stage: 'handshake' | 'origin' | 'frame' | 'namespace', reason: string, namespace: string): void {
    this.#refusedConnections.inc({ stage, reason, namespace });
  }

  seedRejected(reason: ErrorId): void {
    this.#seedRejected.inc({ reason });
  }

  /** A join answered after `seconds`. */
  joinAnswered(result: 'joined' | 'waiting' | 'refused', seconds: number): void {
    this.#joinDuration.observe({ result }, seconds);
  }

  signalRelayed(seconds: number): void {
    this.#relayDuration.observe(seconds);
  }

  messageRateLimited(namespace: string, action: 'refused' | 'refused-quietly' | 'disconnected'): void {
    this.#rateLimited.inc({ namespace, action });
  }

  budgetRefused(budget: Budget): void {
    this.#budgetRefusals.inc({ budget });
  }

  turnCredentialIssued(): void {
    this.#turnCredentials.inc();
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ type: string; body: string }> {
    return { type: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** Stop the default collectors' timers (event-loop monitor). */
  close(): void {
    this.registry.clear();
  }
}
