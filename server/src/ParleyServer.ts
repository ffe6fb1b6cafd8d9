import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FRAME_MAX_BYTES, PARLEY_NAMESPACE, type IceServer } from '@parley/protocol';
import { Server as SocketServer } from 'socket.io';
import { AccessControl } from './access/AccessControl';
import type { Config } from './config';
import { originAllowed } from './http/allowedOrigin';
import { ClientCookie } from './http/clientCookie';
import { applySecurityHeaders } from './http/securityHeaders';
import { clientAddress } from './limits/clientAddress';
import { limitNamespaceMessages } from './limits/limitNamespaceMessages';
import { MessageLimiter, PerMinuteLimit } from './limits/RateLimiter';
import { notFound, sendJson, staticFiles, type Route } from './http';
import { PING_INTERVAL_MS, PING_TIMEOUT_MS, SHUTDOWN_GRACE_MS } from './liveness';
import { createLogger, type Logger } from './logger';
import { RoomRegistry } from './RoomRegistry';
import { attachParleySignaling } from './signaling/ParleySignaling';
import { attachSeedSignaling } from './signaling/SeedSignaling';

/**
 * The whole server: one HTTP port carrying the web app, health endpoints and Socket.IO
 * signaling (the seed protocol on `/`, Parley's on `/parley`). Owns the room registry.
 */
export class ParleyServer {
  readonly http: HttpServer;
  readonly io: SocketServer;
  readonly rooms: RoomRegistry;
  readonly log: Logger;
  readonly access: AccessControl;
  readonly #clientCookie = new ClientCookie();
  readonly #connectionsPerMinute: PerMinuteLimit;
  readonly #joinsPerMinute: PerMinuteLimit;
  readonly #pruneTimer: NodeJS.Timeout;
  #draining = false;
  #closed: Promise<void> | null = null;

  constructor(
    readonly config: Config,
    log?: Logger,
  ) {
    this.log = log ?? createLogger(config.logLevel);
    this.rooms = new RoomRegistry(config.meshMax);
    const routes: Route[] = [this.#health, staticFiles(config.staticDir)];
    this.access = new AccessControl(this.rooms, {
      accessSecret: config.accessSecret,
      banMs: config.banSeconds * 1000,
      log: this.log.child({ subsystem: 'access' }),
    });
    this.#connectionsPerMinute = new PerMinuteLimit(config.rateConnectionsPerMinute);
    this.#joinsPerMinute = new PerMinuteLimit(config.rateJoinsPerMinute);
    this.#pruneTimer = setInterval(() => {
      this.#connectionsPerMinute.prune();
      this.#joinsPerMinute.prune();
      this.access.prune();
    }, 60_000);
    this.#pruneTimer.unref();
    this.http = createServer((req, res) => {
      applySecurityHeaders(res);
      if (req.method === 'GET' && (req.headers.accept ?? '').includes('text/html')) this.#clientCookie.ensure(req, res);
      void (async () => {
        for (const route of routes) if (await route(req, res)) return;
        notFound(res);
      })().catch((err: unknown) => {
        this.log.error({ err, url: req.url }, 'request failed');
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    const origins = config.allowedOrigins;
    this.io = new SocketServer(this.http, {
      maxHttpBufferSize: FRAME_MAX_BYTES,
      pingInterval: PING_INTERVAL_MS,
      pingTimeout: PING_TIMEOUT_MS,
      cors: { origin: origins.length === 0 || origins.includes('*') ? true : origins, credentials: false },
      serveClient: false,
      allowRequest: (req, callback) => {
        if (!originAllowed(req, origins)) return callback('origin not allowed', false);
        if (!this.#connectionsPerMinute.hit(clientAddress(req, config.trustProxy))) {
          return callback('too many connections from your address; wait a minute', false);
        }
        callback(null, true);
      },
    });
    const messageLimiter = (): MessageLimiter =>
      new MessageLimiter(config.rateMessagesPerSecond, config.rateMessagesBurst, config.rateDisconnectAfter);
    limitNamespaceMessages(this.io.of('/'), messageLimiter, this.log);
    attachSeedSignaling(this.io.of('/'), this.log);
    attachParleySignaling(this.io.of(PARLEY_NAMESPACE), {
      rooms: this.rooms,
      log: this.log,
      iceServers: () => this.#iceServers(),
      acceptingJoins: () => !this.#draining,
      access: this.access,
      messageLimiter,
      joinsPerMinute: this.#joinsPerMinute,
      clientOf: (socket) => {
        const address = clientAddress(socket.request, config.trustProxy);
        const id = this.#clientCookie.read(socket.request);
        return { address, key: id === null ? `address:${address}` : `client:${id}` };
      },
    });
  }

  #iceServers(): IceServer[] {
    return this.config.stunUrls.length > 0 ? [{ urls: [...this.config.stunUrls] }] : [];
  }

  #health: Route = (req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/healthz') {
      sendJson(res, 200, { status: 'ok' });
      return true;
    }
    return false;
  };

  /** Start listening; resolves with the bound port (useful with port 0). */
  listen(port = this.config.port, host = this.config.host): Promise<number> {
    return new Promise((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => {
        this.http.off('error', reject);
        const addr = this.http.address() as AddressInfo;
        this.log.info({ port: addr.port, host }, 'listening');
        resolve(addr.port);
      });
    });
  }

  get port(): number {
    return (this.http.address() as AddressInfo).port;
  }

  /** Stop accepting joins, disconnect everyone, close the port. Idempotent. */
  close(): Promise<void> {
    if (this.#closed) return this.#closed;
    this.#draining = true;
    clearInterval(this.#pruneTimer);
    this.#closed = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.http.closeAllConnections();
        resolve();
      }, SHUTDOWN_GRACE_MS);
      timer.unref();
      void this.io.close(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    return this.#closed;
  }
}
