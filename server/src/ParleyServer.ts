import './zodLocale';
import { publishRecording } from './recording/recordingEvents';
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo, Socket as NodeSocket } from 'node:net';
import { FRAME_MAX_BYTES, PARLEY_NAMESPACE, type IceServer } from '@parley/protocol';
import { Server as SocketServer, type Socket } from 'socket.io';
import { AccessControl } from './access/AccessControl';
import { loadResumeKey, ResumeTokens } from './access/resumeTokens';
import { addressKey } from './access/BanList';
import { PasswordHasher } from './access/passwords';
import type { Config } from './config';
import { ClientCookie } from './http/clientCookie';
import { guardOrigin } from './http/originGate';
import { embedInfo } from './http/embedInfo';
import { applySecurityHeaders, securityHeaders } from './http/securityHeaders';
import { limitNamespaceMessages } from './limits/limitNamespaceMessages';
import { ClientLimits, type ClientId } from './limits/ClientLimits';
import { PasswordBudget } from './limits/PasswordBudget';
import { networkOf } from './limits/network';
import { MessageLimiter } from './limits/RateLimiter';
import { WindowCounter } from './limits/WindowCounter';
import { WorkGate } from './limits/WorkGate';
import { notFound, sendJson, staticFiles, type Route } from './http';
import { LISTEN_BACKLOG, SHUTDOWN_NOTICE_MS } from './liveness';
import { createLogger, type Logger } from './logger';
import { IdleCollector } from './observability/IdleCollector';
import { ParleyMetrics } from './observability/metrics';
import { requestOrigin } from './proxy';
import { RoomRegistry } from './RoomRegistry';
import { SfuService } from './sfu/SfuService';
import { loadTls, type TlsMaterial } from './tls';
import { iceServersFor } from './turn/iceServers';
import { attachParleySignaling, type SignalingCluster } from './signaling/ParleySignaling';
import { swapFingerprint } from './signaling/tamper';
import type { ClientSocket } from './signaling/ClientSocket';
import { Cluster } from './cluster/Cluster';
import { RoomSnapshots } from './cluster/snapshot';
import { attachSeedSignaling, refuseSeedProtocol } from './signaling/SeedSignaling';
import { boundedParser } from './transport/boundedParser';
import { reportConnectionErrors } from './transport/guard';

/** The handshake's answer (HTTP 403 body) per reason a connection is refused. */
const connectionRefusals = {
  client: 'too many connections from this client; wait a minute',
  address: 'too many connections from your address; wait a minute',
  newcomers: 'too many new connections from your address after refused requests; wait a minute',
  penalty: 'too many refused requests from this client; wait a minute',
} as const;

/**
 * Connection checks with TURN credentials one address may make per minute, as a multiple of
 * the per-client limit (RATE_CHECKS_PER_MINUTE): people behind one NAT have a cookie each, a
 * script minting cookies still meets this.
 */
const CHECKS_PER_ADDRESS_FACTOR = 10;

/**
 * The whole server: one HTTP port carrying the web app, health endpoints and Socket.IO
 * signaling (the seed protocol on `/`, Parley's on `/parley`). Owns the room registry.
 */
export class ParleyServer {
  readonly http: HttpServer | HttpsServer;
  readonly io: SocketServer;
  readonly rooms: RoomRegistry;
  readonly log: Logger;
  readonly access: AccessControl;
  /** Resume tokens; the configured key is installed by listen(). */
  readonly resumeTokens = new ResumeTokens();
  readonly #clientCookie = new ClientCookie();
  /** Connection checks answered with TURN credentials, per client and per address. */
  readonly #checksPerMinute: { perClient: WindowCounter; perAddress: WindowCounter };
  /** Connections and joins per client and per address, and strikes for refused work. */
  readonly limits: ClientLimits;
  readonly #passwordBudget: PasswordBudget;
  readonly #pruneTimer: NodeJS.Timeout;
  /** Gives memory back to the system once a burst of connections is over. */
  readonly #idle: IdleCollector;
  readonly metrics: ParleyMetrics;
  /** With METRICS_PORT: the listener that alone answers /metrics (started by listen()). */
  readonly metricsHttp: HttpServer | null;
  /** The forwarding unit for rooms past the mesh (its engine loads when the first room needs it). */
  readonly sfu: SfuService;
  /** The certificate in use when serving HTTPS (set by listen()). */
  tls: TlsMaterial | null = null;
  /** With REDIS_URL: this server's place among the servers sharing rooms (joined by listen()). */
  cluster: Cluster | null = null;
  /** How connections of other servers' sockets are made here (set when signaling is attached). */
  #serveRemote: ((socket: ClientSocket) => unknown) | null = null;
  #draining = false;
  #listening = false;
  #closed: Promise<void> | null = null;
  #shutdown: Promise<void> | null = null;

  constructor(
    readonly config: Config,
    log?: Logger,
  ) {
    this.log = log ?? createLogger(config.logLevel);
    this.rooms = new RoomRegistry(config.meshMax);
    this.sfu = new SfuService(config, this.log.child({ subsystem: 'sfu' }));
    this.limits = new ClientLimits({
      connectionsPerClient: config.rateConnectionsPerMinute,
      joinsPerClient: config.rateJoinsPerMinute,
      connectionsPerAddress: config.rateAddressConnectionsPerMinute,
      joinsPerAddress: config.rateAddressJoinsPerMinute,
      strikesPerClient: config.rateStrikesPerMinute,
      strikesPerAddress: config.rateAddressStrikesPerMinute,
    });
    this.#passwordBudget = new PasswordBudget(config.passwordChecksPerMinute, config.passwordRoomChecksPerMinute);
    this.access = new AccessControl(this.rooms, {
      accessSecret: config.accessSecret === '' ? null : config.accessSecret,
      banMs: config.banSeconds * 1000,
      inviteMaxTtl: config.inviteMaxTtl,
      log: this.log.child({ subsystem: 'access' }),
      passwords: new PasswordHasher(new WorkGate(config.passwordHashConcurrency, config.passwordHashQueue)),
      passwordBudget: this.#passwordBudget,
      lobbyPerAddress: config.lobbyPerAddress,
      // Recording is the host's alone in this room: a host who hands the role over (or leaves)
      // stops recording with it, as anyone else did when host-only was turned on.
      hostChanged: (room, hostId) => {
        if (!room.recording.hostOnly || !room.recording.stopAllBut((id) => id === hostId)) return;
        publishRecording(room);
        if (config.redisUrl !== '') void this.cluster?.roomChanged(room.name);
      },
    });
    this.#checksPerMinute = {
      perClient: new WindowCounter(config.rateChecksPerMinute),
      perAddress: new WindowCounter(config.rateChecksPerMinute * CHECKS_PER_ADDRESS_FACTOR),
    };
    this.#pruneTimer = setInterval(() => {
      this.limits.prune();
      this.#passwordBudget.prune();
      this.#checksPerMinute.perClient.prune();
      this.#checksPerMinute.perAddress.prune();
      this.access.prune();
    }, 60_000);
    this.#pruneTimer.unref();
    // With METRICS_PORT, /metrics is answered there only: here it is not found.
    const metricsHere: Route =
      config.metricsPort === null ? this.#metricsRoute : (req, res) => this.#metricsNotHere(req, res);
    const routes: Route[] = [
      this.#health,
      metricsHere,
      embedInfo(config.frameAncestors),
      // Tests only (PARLEY_TEST_TAP=1): what the server holds of a room, to show what it cannot read.
      ...(process.env.PARLEY_TEST_TAP === '1' ? [this.#testTap] : []),
      staticFiles(config.staticDir),
    ];
    const headers = securityHeaders(config.frameAncestors);
    const handle = (req: IncomingMessage, res: ServerResponse): void => {
      applySecurityHeaders(res, config.trustProxy, headers);
      if (req.method === 'GET' && (req.headers.accept ?? '').includes('text/html')) this.#clientCookie.ensure(req, res);
      void (async () => {
        for (const route of routes) if (await route(req, res)) return;
        notFound(res);
      })().catch((err: unknown) => {
        this.log.error({ err, url: req.url }, 'request failed');
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    };
    // With HTTPS the certificate is installed by listen() (it may have to be generated first).
    this.http = config.https ? createHttpsServer({}, handle) : createServer(handle);
    this.metricsHttp =
      config.metricsPort === null
        ? null
        : createServer((req, res) => {
            void Promise.resolve(this.#metricsRoute(req, res))
              .then((answered) => {
                if (!answered) notFound(res);
              })
              .catch((err: unknown) => {
                this.log.error({ err }, 'metrics request failed');
                if (!res.headersSent) res.writeHead(500);
                res.end();
              });
          });
    this.#idle = new IdleCollector({ log: this.log.child({ subsystem: 'memory' }) });
    this.http.on('connection', (socket: NodeSocket) => {
      this.#idle.activity();
      socket.once('close', () => this.#idle.activity());
    });
    this.metrics = new ParleyMetrics({
      connectedSockets: () => this.io.engine.clientsCount,
      rooms: () => this.rooms.roomCount,
      participants: () => this.rooms.participantCount,
      draining: () => this.#draining,
      sfuRooms: () => this.sfu.roomCount,
      sfuConnections: () => this.sfu.connectionCount,
      sfuForwardedPackets: () => this.sfu.forwardedPackets,
      cluster:
        config.redisUrl === ''
          ? undefined
          : () => {
              const h = this.cluster?.health;
              return h
                ? { up: h.state === 'up', rooms: h.rooms, remote: h.remoteConnections, routed: h.routedConnections }
                : null;
            },
    });
    this.io = new SocketServer(this.http, {
      maxHttpBufferSize: FRAME_MAX_BYTES,
      // Bounds every inbound packet's nesting, width and binary attachments before it is parsed.
      parser: boundedParser,
      pingInterval: config.pingInterval * 1000,
      pingTimeout: config.pingTimeout * 1000,
      // Origins are checked per namespace (below), where a refusal can carry a reason the page
      // can read; CORS lets every page reach that answer. No credentials are ever shared.
      cors: { origin: true, credentials: false },
      serveClient: false,
      allowRequest: (req, callback) => {
        const refused = this.limits.connection(this.#clientOf(req));
        if (refused !== null) {
          this.metrics.connectionRefused('handshake', refused, '*');
          return callback(connectionRefusals[refused], false);
        }
        callback(null, true);
      },
    });
    const messageLimiter = (): MessageLimiter =>
      new MessageLimiter(config.rateMessagesPerSecond, config.rateMessagesBurst, config.rateDisconnectAfter);
    const addressOf = (socket: Socket): string => requestOrigin(socket.request, config.trustProxy).address;
    const originLog = this.log.child({ subsystem: 'origin' });
    const seed = this.io.of('/');
    reportConnectionErrors(seed, this.log, addressOf, (reason) => this.metrics.connectionRefused('frame', reason, '/'));
    if (config.seedProtocol) {
      guardOrigin(seed, {
        allowed: config.seedAllowedOrigins,
        option: 'SEED_ALLOWED_ORIGINS',
        trustProxy: config.trustProxy,
        log: originLog,
        onRefused: () => this.metrics.connectionRefused('origin', 'origin-not-allowed', '/'),
      });
      limitNamespaceMessages(seed, messageLimiter, this.log, (action) => this.metrics.messageRateLimited('/', action));
      attachSeedSignaling(seed, {
        log: this.log,
        limits: this.limits,
        clientOf: (socket) => this.#clientOf(socket.request),
        accessSecret: config.accessSecret === '' ? null : config.accessSecret,
        inviteMaxTtl: config.inviteMaxTtl,
        roomMax: config.seedRoomMax,
        places:
          config.redisUrl === ''
            ? undefined
            : {
                take: async (room, socketId, max) => {
                  if (!this.cluster) throw new Error('not in the cluster yet');
                  return this.cluster.seedJoin(room, socketId, max);
                },
                free: (room, socketId) => this.cluster?.seedLeave(room, socketId),
              },
        acceptingJoins: () => !this.#draining,
        metrics: this.metrics,
      });
    } else refuseSeedProtocol(seed, () => this.metrics.connectionRefused('namespace', 'seed-protocol-off', '/'));
    const parley = this.io.of(PARLEY_NAMESPACE);
    reportConnectionErrors(parley, this.log, addressOf, (reason) =>
      this.metrics.connectionRefused('frame', reason, PARLEY_NAMESPACE),
    );
    guardOrigin(parley, {
      allowed: config.allowedOrigins,
      option: 'ALLOWED_ORIGINS',
      trustProxy: config.trustProxy,
      log: originLog,
      onRefused: () => this.metrics.connectionRefused('origin', 'origin-not-allowed', PARLEY_NAMESPACE),
    });
    // The cluster joins in listen() (it needs Redis); signaling reaches it through this.
    const cluster: SignalingCluster | undefined =
      config.redisUrl === ''
        ? undefined
        : {
            serve: (make) => {
              this.#serveRemote = make;
            },
            route: (socket, local, makeLocal) => {
              if (this.cluster) this.cluster.route(socket, local, makeLocal);
              else socket.disconnect(true);
            },
          };
    attachParleySignaling(parley, {
      cluster,
      roomChanged: config.redisUrl === '' ? undefined : (room) => this.cluster?.roomChanged(room),
      rooms: this.rooms,
      log: this.log,
      iceServers: (participantId, turn) => this.iceServers(participantId, turn),
      hasTurn: config.turnUrls.length > 0 && config.turnSecret !== '',
      checksPerMinute: this.#checksPerMinute,
      acceptingJoins: () => !this.#draining,
      access: this.access,
      resumeTokens: this.resumeTokens,
      messageLimiter,
      limits: this.limits,
      sendBufferMaxBytes: config.sendBufferMaxBytes,
      clientOf: (socket) => this.#clientOf(socket.request),
      clientAddress: (socket) => requestOrigin(socket.request, config.trustProxy).address,
      metrics: this.metrics,
      // Tests only: a server in the middle, to show that verification codes then differ.
      ...(process.env.PARLEY_TEST_SWAP_FINGERPRINT === '1' ? { tamperSignal: swapFingerprint } : {}),
      topology: {
        mode: config.roomTopology,
        meshMax: config.meshMax,
        roomMax: config.roomMax,
        sfuRoom: (name) => this.sfu.createRoom(name),
      },
    });
  }

  /**
   * Who a request comes from: its network (the address; for IPv6 its /64), and the browser's
   * signed client cookie when it has one. Connections without a cookie (scripts, native or
   * cross-origin clients) cannot be told apart: they share the key of their network.
   */
  #clientOf(req: IncomingMessage): ClientId {
    const address = networkOf(requestOrigin(req, this.config.trustProxy).address);
    const id = this.#clientCookie.read(req);
    return { address, key: id === null ? addressKey(address) : `client:${id}` };
  }

  /** The ICE servers one participant gets, with TURN credentials minted for it (unless `turn` is false). */
  iceServers(participantId: string, turn = true): IceServer[] {
    const config = turn ? this.config : { ...this.config, turnUrls: [] };
    return iceServersFor(config, participantId, () => this.metrics.turnCredentialIssued());
  }

  #health: Route = (req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/healthz') {
      // Liveness: the process answers.
      sendJson(res, 200, { status: 'ok' });
      return true;
    }
    if (path === '/readyz') {
      // Readiness: listening and accepting joins (not draining for shutdown).
      // With REDIS_URL, a server that cannot reach Redis cannot decide joins safely: not ready.
      const cluster = this.cluster?.health;
      const redisDown = this.config.redisUrl !== '' && cluster?.state !== 'up';
      const ready = this.#listening && !this.#draining && !redisDown;
      res.setHeader('cache-control', 'no-store');
      sendJson(res, ready ? 200 : 503, {
        status: ready
          ? 'ready'
          : this.#draining
            ? 'draining'
            : this.#listening && redisDown
              ? 'redis-unavailable'
              : 'starting',
        details: {
          topology: this.config.roomTopology,
          sfu: this.sfu.status,
          ...(this.config.redisUrl !== '' ? { redis: cluster ?? { state: 'down' } } : {}),
        },
      });
      return true;
    }
    return false;
  };

  /**
   * Mounted only with PARLEY_TEST_TAP=1 (end-to-end tests check what the server holds of an
   * E2EE room); a production server never has it.
   * - `GET /__test/tap?room=NAME`: the room's stored chat history as the server has it.
   * - `GET /__test/tap/keyframes?room=NAME&count=N`: the next N (1-5) keyframes of every camera
   *   in a forwarding-unit room, base64, as the server receives and forwards them.
   */
  #testTap: Route = async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/__test/tap' && url.pathname !== '/__test/tap/keyframes') return false;
    const room = this.rooms.get(url.searchParams.get('room') ?? '');
    if (!room) {
      sendJson(res, 404, { error: 'no such room' });
      return true;
    }
    if (url.pathname === '/__test/tap') {
      sendJson(res, 200, { e2ee: room.e2ee, chat: room.chat.toJSON().history.map((m) => m.text) });
      return true;
    }
    const count = Number(url.searchParams.get('count') ?? '1');
    if (!Number.isInteger(count) || count < 1 || count > 5) {
      sendJson(res, 400, { error: 'count must be an integer from 1 to 5' });
      return true;
    }
    if (!room.media) {
      sendJson(res, 409, { error: 'the room does not go through the forwarding unit' });
      return true;
    }
    const cameras = await room.media.cameraKeyframes(count, 20_000);
    const names = new Map([...room.members()].map((m) => [m.participant.id, m.participant.name]));
    sendJson(res, 200, {
      e2ee: room.e2ee,
      cameras: cameras.map((c) => ({
        participant: c.participant,
        name: names.get(c.participant) ?? '',
        frames: c.frames.map((f) => Buffer.from(f).toString('base64')),
      })),
    });
    return true;
  };

  #metricsRoute: Route = async (req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    const { type, body } = await this.metrics.render();
    res.writeHead(200, {
      'content-type': type,
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };

  #metricsNotHere: Route = (req, res) => {
    if ((req.url ?? '').split('?')[0] !== '/metrics') return false;
    notFound(res);
    return true;
  };

  /** The port /metrics is served on: METRICS_PORT's once listening, else the main port. */
  get metricsPort(): number {
    const addr = this.metricsHttp?.address();
    return addr && typeof addr === 'object' ? addr.port : this.port;
  }

  /** Listen on METRICS_PORT (METRICS_HOST), when set. */
  async #listenMetrics(): Promise<void> {
    const server = this.metricsHttp;
    if (server === null || server.listening) return;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: this.config.metricsPort ?? 0, host: this.config.metricsHost }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address() as AddressInfo;
    this.log.info({ port: addr.port, host: this.config.metricsHost }, 'serving /metrics on its own port');
  }

  /** Start listening; resolves with the bound port (useful with port 0). */
  async listen(port = this.config.port, host = this.config.host): Promise<number> {
    if (this.config.redisUrl !== '' && !this.cluster) await this.#joinCluster();
    else {
      const resume = loadResumeKey(this.config);
      this.resumeTokens.rekey(resume.key);
      if (resume.warning) this.log.warn(resume.warning);
      else this.log.debug({ source: resume.source }, 'resume key loaded');
    }
    await this.#listenMetrics();
    if (this.config.https) {
      const tls = await loadTls(this.config);
      (this.http as HttpsServer).setSecureContext({ cert: tls.cert, key: tls.key });
      this.tls = tls;
      if (tls.warning) this.log.warn(tls.warning);
      this.log.info(
        { selfSigned: tls.selfSigned, fingerprint: tls.fingerprint, names: tls.names, file: tls.stored },
        tls.selfSigned ? 'serving HTTPS with a self-signed certificate' : 'serving HTTPS',
      );
    }
    return new Promise((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen({ port, host, backlog: LISTEN_BACKLOG }, () => {
        this.http.off('error', reject);
        this.#listening = true;
        this.#idle.start();
        const addr = this.http.address() as AddressInfo;
        this.log.info({ port: addr.port, host, scheme: this.scheme }, 'listening');
        const sfu = this.sfu.status;
        if (sfu.state === 'unavailable') {
          this.log.warn({ reason: sfu.reason }, 'no forwarding unit: rooms stay meshes of at most MESH_MAX');
        }
        resolve(addr.port);
      });
    });
  }

  /**
   * Join the servers sharing rooms through Redis: Socket.IO's Redis adapter carries the seed
   * protocol's room broadcasts, rooms of Parley's protocol live on one server each (see
   * cluster/Cluster.ts), resume tokens are checked with a key all servers share.
   */
  async #joinCluster(): Promise<void> {
    const cluster = await Cluster.start(this.config.redisUrl, this.log);
    this.cluster = cluster;
    if (this.config.resumeSecret !== '') this.resumeTokens.rekey(Buffer.from(this.config.resumeSecret));
    else this.resumeTokens.rekey(await cluster.sharedResumeKey());
    const snapshots = new RoomSnapshots({
      rooms: this.rooms,
      access: this.access,
      sfuRoom: (name) => this.sfu.createRoom(name),
      roomMax: this.config.roomMax,
    });
    cluster.attachRooms(snapshots);
    this.rooms.hooks = {
      created: (room) => snapshots.created(room),
      released: (room) => cluster.roomEnded(room.name),
    };
    if (this.#serveRemote) cluster.serve(this.#serveRemote);
    const { createAdapter } = await import('@socket.io/redis-adapter');
    const { pub, sub } = cluster.adapterClients();
    this.io.adapter(createAdapter(pub, sub, { key: 'parley:io' }));
  }

  /** `https` when serving TLS, else `http`. */
  get scheme(): 'http' | 'https' {
    return this.config.https ? 'https' : 'http';
  }

  /** True once shutdown has begun: joins are refused and /readyz answers 503. */
  get draining(): boolean {
    return this.#draining;
  }

  /**
   * Graceful stop (SIGTERM): refuse joins, tell every Parley client to reconnect (their calls
   * keep running peer to peer and rejoin the restarted server), then close everything within
   * SHUTDOWN_TIMEOUT. Idempotent.
   */
  shutdown(): Promise<void> {
    if (this.#shutdown) return this.#shutdown;
    this.#draining = true;
    const clients = this.io.of(PARLEY_NAMESPACE).sockets.size;
    this.log.info({ clients, timeoutSeconds: this.config.shutdownTimeout }, 'draining: clients told to reconnect');
    this.io.of(PARLEY_NAMESPACE).emit('server-shutdown', { reconnect: true });
    // Rooms held here go to the next server that sees a join, with their state.
    void this.cluster?.close();
    const notice = Math.min(SHUTDOWN_NOTICE_MS, (this.config.shutdownTimeout * 1000) / 2);
    // The notice period counts against the bound: close() gets what is left of it.
    const boundMs = this.config.shutdownTimeout * 1000;
    this.#shutdown = new Promise<void>((resolve) => setTimeout(resolve, notice)).then(() =>
      this.close(boundMs - notice),
    );
    return this.#shutdown;
  }

  get port(): number {
    return (this.http.address() as AddressInfo).port;
  }

  /**
   * Stop accepting joins, close every connection, close the port. Connections still open after
   * SHUTDOWN_TIMEOUT are cut. Idempotent.
   */
  close(boundMs = this.config.shutdownTimeout * 1000): Promise<void> {
    if (this.#closed) return this.#closed;
    this.#draining = true;
    clearInterval(this.#pruneTimer);
    this.#idle.stop();
    const handedOver = this.cluster?.close() ?? Promise.resolve();
    this.#closed = handedOver
      .then(
        () =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => {
              this.log.warn('shutdown bound reached: cutting the remaining connections');
              this.http.closeAllConnections();
              resolve();
            }, boundMs);
            timer.unref();
            // Closes the Socket.IO connections (clients see a transport close and reconnect), then
            // the HTTP server, which ends idle keep-alive connections and waits for busy ones.
            void this.io.close(() => {
              clearTimeout(timer);
              resolve();
            });
            this.http.closeIdleConnections();
          }),
      )
      .finally(async () => {
        this.metricsHttp?.close();
        this.metricsHttp?.closeAllConnections();
        this.sfu.close();
        this.metrics.close();
        await this.cluster?.closeAdapter();
      });
    return this.#closed;
  }
}
