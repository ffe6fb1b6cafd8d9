import type { ErrorId } from '@parley/protocol';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { SignalingMetrics } from '../signaling/ParleySignaling';
import { version } from '../version';

/** What the cluster reports for /metrics. */
export interface ClusterFigures {
  up: boolean;
  rooms: number;
  remote: number;
  routed: number;
}

/** Live values read when /metrics is scraped (no bookkeeping on the hot path). */
export interface MetricsSources {
  connectedSockets(): number;
  rooms(): number;
  participants(): number;
  draining(): boolean;
  /** Rooms whose media goes through the forwarding unit, and its media connections. */
  sfuRooms?(): number;
  sfuConnections?(): number;
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

  /** A connection refused at the handshake (`*` namespace), for its origin, or for a frame. */
  connectionRefused(stage: 'handshake' | 'origin' | 'frame', reason: string, namespace: string): void {
    this.#refusedConnections.inc({ stage, reason, namespace });
  }

  seedRejected(reason: ErrorId): void {
    this.#seedRejected.inc({ reason });
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
