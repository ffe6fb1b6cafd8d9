import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { INVITE_MAX_TTL_DEFAULT } from './access/invitations';
import { LOG_LEVELS, type LogLevel } from './logger';

/**
 * Server settings. Every option is one row of `options` below (environment variable, CLI flag,
 * default, parser); docs/CONFIG.md lists them all in one table.
 */
export interface Config {
  /** TCP port of the HTTP + signaling server. Env PORT, default 8080. 0 picks a free port. */
  port: number;
  /** Bind address. Env HOST, default 0.0.0.0 (all interfaces). */
  host: string;
  /** Most participants in a mesh room; in `auto` a room that would grow past it moves to the SFU. Env MESH_MAX, default 4. */
  meshMax: number;
  /** Most sockets in a room of the seed protocol (always a mesh). Env SEED_ROOM_MAX, default 6. */
  seedRoomMax: number;
  /** How rooms' media travels: `auto` (mesh, then the SFU past MESH_MAX), `mesh` or `sfu`. Env ROOM_TOPOLOGY, default auto. */
  roomTopology: 'auto' | 'mesh' | 'sfu';
  /** Most participants in a room through the SFU. Env ROOM_MAX, default 50. */
  roomMax: number;
  /** UDP port range of the SFU; it listens on one port of it for every connection. Env SFU_PORT_MIN / SFU_PORT_MAX, default 40000-40099. */
  sfuPortMin: number;
  sfuPortMax: number;
  /** Addresses the SFU announces to browsers (the public one behind NAT). Env SFU_ANNOUNCED_IPS, default every non-internal IPv4 address (127.0.0.1 when there is none). */
  sfuAnnouncedIps: string[];
  /** STUN server URLs handed to clients. Env STUN_URLS (comma-separated), default none. */
  stunUrls: string[];
  /** TURN server URLs handed to clients with credentials. Env TURN_URLS, default none. */
  turnUrls: string[];
  /** Shared secret of the TURN REST API (coturn `static-auth-secret`). Env TURN_SECRET. */
  turnSecret: string;
  /** Lifetime of TURN credentials in seconds. Env TURN_TTL, default 86400 (one day). */
  turnTtl: number;
  /** Serve HTTPS. Env HTTPS, default false; true without TLS_CERT/TLS_KEY makes a self-signed certificate. */
  https: boolean;
  /** PEM certificate (chain) file. Env TLS_CERT; with TLS_KEY it turns HTTPS on. */
  tlsCert: string;
  /** PEM private key file. Env TLS_KEY. */
  tlsKey: string;
  /** Trust X-Forwarded-For / -Proto / -Host from a reverse proxy. Env TRUST_PROXY, default false. */
  trustProxy: boolean;
  /** Seconds between the server's pings on each signaling connection. Env PING_INTERVAL, default 25. */
  pingInterval: number;
  /** Seconds a ping may go unanswered before the connection counts as dead. Env PING_TIMEOUT, default 20. */
  pingTimeout: number;
  /** Seconds a graceful shutdown may take before connections are cut. Env SHUTDOWN_TIMEOUT, default 10. */
  shutdownTimeout: number;
  /** Directory of the built web app. Env STATIC_DIR, default web/dist of this checkout. */
  staticDir: string;
  /** Log level. Env LOG_LEVEL, default info. */
  logLevel: LogLevel;
  /** Origins allowed to open signaling connections from a browser. Env ALLOWED_ORIGINS, default the page's own origin; `*` allows any. */
  allowedOrigins: string[];
  /** HS256 secret for invitation tokens; when set, joining needs a token. Env ACCESS_SECRET, default none. */
  accessSecret: string;
  /** How long a participant removed by the host cannot rejoin, in seconds. Env BAN_SECONDS, default 600. */
  banSeconds: number;
  /** Messages per second per signaling connection (token bucket). Env RATE_MESSAGES_PER_SECOND, default 50; 0 = unlimited. */
  rateMessagesPerSecond: number;
  /** Messages a connection may send at once (bucket size). Env RATE_MESSAGES_BURST, default 200. */
  rateMessagesBurst: number;
  /** Messages refused in a row before the connection is closed. Env RATE_DISCONNECT_AFTER, default 100. */
  rateDisconnectAfter: number;
  /** Signaling connections per minute per client (a browser's cookie; cookie-less: per address). Env RATE_CONNECTIONS_PER_MINUTE, default 120; 0 = unlimited. */
  rateConnectionsPerMinute: number;
  /** Joins per minute per client (a browser's cookie; cookie-less: per address). Env RATE_JOINS_PER_MINUTE, default 60; 0 = unlimited. */
  rateJoinsPerMinute: number;
  /** Longest lifetime of an invitation, in seconds, when minting and when joining. Env INVITE_MAX_TTL, default 2592000 (30 days). */
  inviteMaxTtl: number;
  /** Key that signs resume tokens (HMAC-SHA256). Env RESUME_SECRET, default none: a key generated once and kept in RESUME_SECRET_FILE. */
  resumeSecret: string;
  /** Where the generated resume key is kept, so participants resume across restarts. Env RESUME_SECRET_FILE, default $XDG_STATE_HOME/parley/resume-secret (~/.local/state/...); '' (`off`) keeps it in memory only. */
  resumeSecretFile: string;
  /**
   * Redis shared by several servers (rooms work whichever server each person lands on). Env
   * REDIS_URL, default empty: one process, everything in memory, no Redis client loaded.
   */
  redisUrl: string;
  /** `check` answers with TURN credentials per client per minute. Env RATE_CHECKS_PER_MINUTE, default 20; 0 = unlimited. */
  rateChecksPerMinute: number;
  /** Signaling connections per minute per address, all clients together. Env RATE_ADDRESS_CONNECTIONS_PER_MINUTE, default 3000; 0 = unlimited. */
  rateAddressConnectionsPerMinute: number;
  /** Joins per minute per address, all clients together. Env RATE_ADDRESS_JOINS_PER_MINUTE, default 1500; 0 = unlimited. */
  rateAddressJoinsPerMinute: number;
  /** Refused work per minute after which a client is refused for a minute. Env RATE_STRIKES_PER_MINUTE, default 30; 0 = never. */
  rateStrikesPerMinute: number;
  /** Refused work per minute from one address after which its new clients share one budget. Env RATE_ADDRESS_STRIKES_PER_MINUTE, default 120; 0 = never. */
  rateAddressStrikesPerMinute: number;
  /** Password work per minute per address (a check costs 1, a failed one 10). Env PASSWORD_CHECKS_PER_MINUTE, default 300; 0 = unlimited. */
  passwordChecksPerMinute: number;
  /** Password work per minute per room (a check costs 1, a failed one 10). Env PASSWORD_ROOM_CHECKS_PER_MINUTE, default 60; 0 = unlimited. */
  passwordRoomChecksPerMinute: number;
  /** Password hashes (scrypt) running at once. Env PASSWORD_HASH_CONCURRENCY, default 1. */
  passwordHashConcurrency: number;
  /** Password hashes waiting for a turn before more are refused with `server-busy`. Env PASSWORD_HASH_QUEUE, default 8. */
  passwordHashQueue: number;
  /** People from one address waiting in one room's lobby. Env LOBBY_PER_ADDRESS, default 5; 0 = no limit but the lobby's own. */
  lobbyPerAddress: number;
  /** Bytes queued toward one signaling client before it counts as not reading and is disconnected. Env SEND_BUFFER_MAX_BYTES, default 1048576. */
  sendBufferMaxBytes: number;
  /** Speak the seed protocol on the default namespace `/`. Env SEED_PROTOCOL, default true; with ACCESS_SECRET a seed join needs an invitation token. */
  seedProtocol: boolean;
  /** Origins allowed to open the seed namespace from a browser. Env SEED_ALLOWED_ORIGINS, default `*` (any: the seed's app is served from its own origin); */
  seedAllowedOrigins: string[];
  /** File holding TURN_SECRET (so it stays out of `ps` and the environment). Env TURN_SECRET_FILE, default none. */
  turnSecretFile: string;
  /** File holding ACCESS_SECRET. Env ACCESS_SECRET_FILE, default none. */
  accessSecretFile: string;
  /** A separate port for /metrics (the main port then answers 404 there). Env METRICS_PORT, default none: /metrics on PORT. */
  metricsPort: number | null;
  /** Bind address of METRICS_PORT. Env METRICS_HOST, default 127.0.0.1. */
  metricsHost: string;
  /** Origins whose pages may show Parley in a frame. Env FRAME_ANCESTORS, default none (framing refused). */
  frameAncestors: string[];
}

/** Shortest accepted ACCESS_SECRET, in characters (HS256 wants at least 256 bits of key). */
export const ACCESS_SECRET_MIN = 32;

export const defaultStaticDir = new URL('../../web/dist', import.meta.url).pathname;

/** Where the generated resume key lives by default: the XDG state directory of the user. */
export function defaultResumeSecretFile(env: NodeJS.ProcessEnv = process.env): string {
  const state = env.XDG_STATE_HOME?.startsWith('/') ? env.XDG_STATE_HOME : join(homedir(), '.local', 'state');
  return join(state, 'parley', 'resume-secret');
}

/** Shortest accepted RESUME_SECRET, in characters. */
export const RESUME_SECRET_MIN = 32;

export const defaults: Config = {
  port: 8080,
  host: '0.0.0.0',
  meshMax: 4,
  seedRoomMax: 6,
  roomTopology: 'auto',
  roomMax: 50,
  sfuPortMin: 40_000,
  sfuPortMax: 40_099,
  sfuAnnouncedIps: [],
  stunUrls: [],
  turnUrls: [],
  turnSecret: '',
  turnTtl: 86_400,
  https: false,
  tlsCert: '',
  tlsKey: '',
  trustProxy: false,
  pingInterval: 25,
  pingTimeout: 20,
  shutdownTimeout: 10,
  staticDir: defaultStaticDir,
  logLevel: 'info',
  allowedOrigins: [],
  accessSecret: '',
  banSeconds: 600,
  rateMessagesPerSecond: 50,
  rateMessagesBurst: 200,
  rateDisconnectAfter: 100,
  rateConnectionsPerMinute: 120,
  rateJoinsPerMinute: 60,
  inviteMaxTtl: INVITE_MAX_TTL_DEFAULT,
  resumeSecret: '',
  resumeSecretFile: defaultResumeSecretFile(),
  redisUrl: '',
  rateChecksPerMinute: 20,
  rateAddressConnectionsPerMinute: 3000,
  rateAddressJoinsPerMinute: 1500,
  rateStrikesPerMinute: 30,
  rateAddressStrikesPerMinute: 120,
  passwordChecksPerMinute: 300,
  passwordRoomChecksPerMinute: 60,
  passwordHashConcurrency: 1,
  passwordHashQueue: 8,
  lobbyPerAddress: 5,
  sendBufferMaxBytes: 1_048_576,
  seedProtocol: true,
  seedAllowedOrigins: ['*'],
  turnSecretFile: '',
  accessSecretFile: '',
  metricsPort: null,
  metricsHost: '127.0.0.1',
  frameAncestors: [],
};

export class ConfigError extends Error {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`${option}: ${message}`);
    this.name = 'ConfigError';
  }
}

/* ---------------------------------------------------------------------------------------------
 * Parsers: each turns the raw text of one option into its value or throws a ConfigError.
 * ------------------------------------------------------------------------------------------- */

type Parser<T> = (raw: string, name: string) => T;

export function int(min: number, max: number): Parser<number> {
  return (raw, name) => {
    if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `expected a whole number, got "${raw}"`);
    const n = Number(raw);
    if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
    return n;
  };
}

export const text: Parser<string> = (raw) => raw.trim();

export const bool: Parser<boolean> = (raw, name) => {
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
  throw new ConfigError(name, `expected true or false, got "${raw}"`);
};

export function list(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** A comma-separated list whose items must match `pattern` (described by `what`). */
export function urls(pattern: RegExp, what: string): Parser<string[]> {
  return (raw, name) => {
    const items = list(raw);
    for (const u of items) {
      if (!pattern.test(u)) throw new ConfigError(name, `"${u}" is not a ${what} URL`);
    }
    return items;
  };
}

export function oneOf<T extends string>(values: readonly T[]): Parser<T> {
  return (raw, name) => {
    const v = raw.trim();
    if (!(values as readonly string[]).includes(v)) {
      throw new ConfigError(name, `must be one of ${values.join(', ')}, got "${raw}"`);
    }
    return v as T;
  };
}

/* ---------------------------------------------------------------------------------------------
 * The option table: the single source of every setting's env variable, flag and parser.
 * ------------------------------------------------------------------------------------------- */

export interface OptionSpec<K extends keyof Config = keyof Config> {
  key: K;
  /** Environment variable, e.g. `PORT`. */
  env: string;
  /** Command-line flag without dashes, e.g. `port` for `--port`. */
  flag: string;
  /** Value placeholder in `--help` (absent for on/off switches, which take no value). */
  arg?: string;
  parse: Parser<Config[K]>;
  /** One line for `--help`. */
  help: string;
}

function option<K extends keyof Config>(spec: OptionSpec<K>): OptionSpec {
  return spec as unknown as OptionSpec;
}

export const options: readonly OptionSpec[] = [
  option({
    key: 'port',
    env: 'PORT',
    flag: 'port',
    arg: 'N',
    parse: int(0, 65535),
    help: 'TCP port (0 = any free port)',
  }),
  option({ key: 'host', env: 'HOST', flag: 'host', arg: 'ADDR', parse: text, help: 'address to bind' }),
  option({
    key: 'meshMax',
    env: 'MESH_MAX',
    flag: 'mesh-max',
    arg: 'N',
    parse: int(2, 50),
    help: 'most participants in a mesh room (auto: more move the room to the SFU)',
  }),
  option({
    key: 'seedRoomMax',
    env: 'SEED_ROOM_MAX',
    flag: 'seed-room-max',
    arg: 'N',
    parse: int(2, 50),
    help: 'most sockets in a room of the seed protocol (a mesh)',
  }),
  option({
    key: 'roomTopology',
    env: 'ROOM_TOPOLOGY',
    flag: 'room-topology',
    arg: 'MODE',
    parse: oneOf(['auto', 'mesh', 'sfu'] as const),
    help: 'auto (mesh, then the SFU past MESH_MAX), mesh or sfu',
  }),
  option({
    key: 'roomMax',
    env: 'ROOM_MAX',
    flag: 'room-max',
    arg: 'N',
    parse: int(2, 500),
    help: 'most participants in a room through the SFU',
  }),
  option({
    key: 'sfuPortMin',
    env: 'SFU_PORT_MIN',
    flag: 'sfu-port-min',
    arg: 'N',
    parse: int(1024, 65535),
    help: 'lowest UDP port the SFU may listen on',
  }),
  option({
    key: 'sfuPortMax',
    env: 'SFU_PORT_MAX',
    flag: 'sfu-port-max',
    arg: 'N',
    parse: int(1024, 65535),
    help: 'highest UDP port the SFU may listen on (= SFU_PORT_MIN: exactly that port)',
  }),
  option({
    key: 'sfuAnnouncedIps',
    env: 'SFU_ANNOUNCED_IPS',
    flag: 'sfu-announced-ips',
    arg: 'IPS',
    parse: ipList,
    help: "comma-separated addresses the SFU announces (default: this machine's)",
  }),
  option({
    key: 'stunUrls',
    env: 'STUN_URLS',
    flag: 'stun-urls',
    arg: 'URLS',
    parse: urls(/^stuns?:/, 'stun: or stuns:'),
    help: 'comma-separated STUN URLs for clients',
  }),
  option({
    key: 'turnUrls',
    env: 'TURN_URLS',
    flag: 'turn-urls',
    arg: 'URLS',
    parse: urls(/^turns?:/, 'turn: or turns:'),
    help: 'comma-separated TURN URLs for clients (needs --turn-secret)',
  }),
  option({
    key: 'turnSecret',
    env: 'TURN_SECRET',
    flag: 'turn-secret',
    arg: 'SECRET',
    parse: text,
    help: "TURN REST API shared secret (coturn's static-auth-secret)",
  }),
  option({
    key: 'turnTtl',
    env: 'TURN_TTL',
    flag: 'turn-ttl',
    arg: 'SECONDS',
    parse: int(60, 7 * 86_400),
    help: 'lifetime of TURN credentials',
  }),
  option({ key: 'https', env: 'HTTPS', flag: 'https', parse: bool, help: 'serve HTTPS (self-signed without a cert)' }),
  option({ key: 'tlsCert', env: 'TLS_CERT', flag: 'tls-cert', arg: 'FILE', parse: text, help: 'PEM certificate file' }),
  option({ key: 'tlsKey', env: 'TLS_KEY', flag: 'tls-key', arg: 'FILE', parse: text, help: 'PEM private key file' }),
  option({
    key: 'trustProxy',
    env: 'TRUST_PROXY',
    flag: 'trust-proxy',
    parse: bool,
    help: 'honour X-Forwarded-* headers from a reverse proxy',
  }),
  option({
    key: 'pingInterval',
    env: 'PING_INTERVAL',
    flag: 'ping-interval',
    arg: 'SECONDS',
    parse: int(1, 300),
    help: 'seconds between liveness pings on each signaling connection',
  }),
  option({
    key: 'pingTimeout',
    env: 'PING_TIMEOUT',
    flag: 'ping-timeout',
    arg: 'SECONDS',
    parse: int(1, 300),
    help: 'seconds an unanswered ping waits before the connection counts as dead',
  }),
  option({
    key: 'shutdownTimeout',
    env: 'SHUTDOWN_TIMEOUT',
    flag: 'shutdown-timeout',
    arg: 'SECONDS',
    parse: int(1, 600),
    help: 'bound on a graceful shutdown',
  }),
  option({ key: 'staticDir', env: 'STATIC_DIR', flag: 'static-dir', arg: 'DIR', parse: text, help: 'built web app' }),
  option({
    key: 'logLevel',
    env: 'LOG_LEVEL',
    flag: 'log-level',
    arg: 'LEVEL',
    parse: oneOf(LOG_LEVELS),
    help: LOG_LEVELS.join(' | '),
  }),
  option({
    key: 'allowedOrigins',
    env: 'ALLOWED_ORIGINS',
    flag: 'allowed-origins',
    arg: 'ORIGINS',
    parse: (raw) => list(raw),
    help: "comma-separated origins allowed to connect (empty = the page's own, * = any)",
  }),
  option({
    key: 'accessSecret',
    env: 'ACCESS_SECRET',
    flag: 'access-secret',
    arg: 'SECRET',
    parse: text,
    help: 'require invitation tokens signed with this secret (HS256)',
  }),
  option({
    key: 'banSeconds',
    env: 'BAN_SECONDS',
    flag: 'ban-seconds',
    arg: 'SECONDS',
    parse: int(0, 7 * 86_400),
    help: 'how long a removed participant stays out',
  }),
  option({
    key: 'rateMessagesPerSecond',
    env: 'RATE_MESSAGES_PER_SECOND',
    flag: 'rate-messages-per-second',
    arg: 'N',
    parse: int(0, 100_000),
    help: 'messages per second per connection (0 = unlimited)',
  }),
  option({
    key: 'rateMessagesBurst',
    env: 'RATE_MESSAGES_BURST',
    flag: 'rate-messages-burst',
    arg: 'N',
    parse: int(1, 100_000),
    help: 'messages a connection may send at once',
  }),
  option({
    key: 'rateDisconnectAfter',
    env: 'RATE_DISCONNECT_AFTER',
    flag: 'rate-disconnect-after',
    arg: 'N',
    parse: int(1, 1_000_000),
    help: 'refused messages in a row before disconnecting',
  }),
  option({
    key: 'rateConnectionsPerMinute',
    env: 'RATE_CONNECTIONS_PER_MINUTE',
    flag: 'rate-connections-per-minute',
    arg: 'N',
    parse: int(0, 1_000_000),
    help: 'signaling connections per minute per client (0 = unlimited)',
  }),
  option({
    key: 'rateJoinsPerMinute',
    env: 'RATE_JOINS_PER_MINUTE',
    flag: 'rate-joins-per-minute',
    arg: 'N',
    parse: int(0, 1_000_000),
    help: 'joins per minute per client (0 = unlimited)',
  }),
  option({
    key: 'rateAddressConnectionsPerMinute',
    env: 'RATE_ADDRESS_CONNECTIONS_PER_MINUTE',
    flag: 'rate-address-connections-per-minute',
    arg: 'N',
    parse: int(0, 1_000_000),
    help: 'signaling connections per minute per address, all clients (0 = unlimited)',
  }),
  option({
    key: 'rateAddressJoinsPerMinute',
    env: 'RATE_ADDRESS_JOINS_PER_MINUTE',
    flag: 'rate-address-joins-per-minute',
    arg: 'N',
    parse: int(0, 1_000_000),
    help: 'joins per minute per address, all clients (0 = unlimited)',
  }),
  option({
    key: 'rateStrikesPerMinute',
    env: 'RATE_STRIKES_PER_MINUTE',
    flag: 'rate-strikes-per-minute',
    arg: 'N',
    parse: int(0, 1_000_000),
    help: 'refused work per minute before a client is refused for a minute (0 = never)',
  }),
  option({
    key: 'rateAddressStrikesPerMinute',
    env: 'RATE_ADDRESS_STRIKES_PER_MINUTE',
    flag: 'rate-address-strikes-per-minute',
    arg: 'N',
    parse: int(0, 1_000_000),
    help: 'refused work per minute per address before its new clients share one budget (0 = never)',
  }),
  option({
    key: 'passwordChecksPerMinute',
    env: 'PASSWORD_CHECKS_PER_MINUTE',
    flag: 'password-checks-per-minute',
    arg: 'N',
    parse: int(0, 1_000_000),
    help: 'password work per minute per address; a failure costs 10 (0 = unlimited)',
  }),
  option({
    key: 'passwordRoomChecksPerMinute',
    env: 'PASSWORD_ROOM_CHECKS_PER_MINUTE',
    flag: 'password-room-checks-per-minute',
    arg: 'N',
    parse: int(0, 1_000_000),
    help: 'password work per minute per room; a failure costs 10 (0 = unlimited)',
  }),
  option({
    key: 'passwordHashConcurrency',
    env: 'PASSWORD_HASH_CONCURRENCY',
    flag: 'password-hash-concurrency',
    arg: 'N',
    parse: int(1, 64),
    help: 'password hashes running at once',
  }),
  option({
    key: 'passwordHashQueue',
    env: 'PASSWORD_HASH_QUEUE',
    flag: 'password-hash-queue',
    arg: 'N',
    parse: int(0, 10_000),
    help: 'password hashes waiting before more are refused',
  }),
  option({
    key: 'lobbyPerAddress',
    env: 'LOBBY_PER_ADDRESS',
    flag: 'lobby-per-address',
    arg: 'N',
    parse: int(0, 1_000),
    help: "people from one address in one room's lobby (0 = only the lobby's own limit)",
  }),
  option({
    key: 'sendBufferMaxBytes',
    env: 'SEND_BUFFER_MAX_BYTES',
    flag: 'send-buffer-max-bytes',
    arg: 'BYTES',
    parse: int(65_536, 1_073_741_824),
    help: 'bytes queued toward a client before it counts as not reading',
  }),
  option({
    key: 'inviteMaxTtl',
    env: 'INVITE_MAX_TTL',
    flag: 'invite-max-ttl',
    arg: 'SECONDS',
    parse: int(60, 365 * 86_400),
    help: 'longest lifetime of an invitation',
  }),
  option({
    key: 'resumeSecret',
    env: 'RESUME_SECRET',
    flag: 'resume-secret',
    arg: 'SECRET',
    parse: text,
    help: 'key of resume tokens (default: generated, kept in --resume-secret-file)',
  }),
  option({
    key: 'resumeSecretFile',
    env: 'RESUME_SECRET_FILE',
    flag: 'resume-secret-file',
    arg: 'FILE',
    parse: (raw) => (raw.trim() === 'off' ? '' : raw.trim()),
    help: 'where the generated resume key is kept (off = memory only)',
  }),
  option({
    key: 'redisUrl',
    env: 'REDIS_URL',
    flag: 'redis-url',
    arg: 'URL',
    parse: (raw, name) => {
      const v = raw.trim();
      if (v !== '' && !/^rediss?:\/\/\S+$/.test(v)) {
        throw new ConfigError(name, 'expected redis://[user:password@]host:port[/db] or rediss://… (TLS)');
      }
      return v;
    },
    help: 'Redis shared by several servers (empty = one process, in memory)',
  }),
  option({
    key: 'rateChecksPerMinute',
    env: 'RATE_CHECKS_PER_MINUTE',
    flag: 'rate-checks-per-minute',
    arg: 'N',
    parse: int(0, 1_000_000),
    help: 'connection checks with TURN credentials per minute per client (0 = unlimited)',
  }),
  option({
    key: 'seedProtocol',
    env: 'SEED_PROTOCOL',
    flag: 'seed-protocol',
    parse: bool,
    help: 'speak the original seed protocol on the default namespace (off: --no-seed-protocol)',
  }),
  option({
    key: 'seedAllowedOrigins',
    env: 'SEED_ALLOWED_ORIGINS',
    flag: 'seed-allowed-origins',
    arg: 'ORIGINS',
    parse: (raw) => list(raw),
    help: 'comma-separated origins allowed on the seed namespace (* = any)',
  }),
  option({
    key: 'turnSecretFile',
    env: 'TURN_SECRET_FILE',
    flag: 'turn-secret-file',
    arg: 'FILE',
    parse: text,
    help: 'read the TURN secret from this file instead of --turn-secret',
  }),
  option({
    key: 'accessSecretFile',
    env: 'ACCESS_SECRET_FILE',
    flag: 'access-secret-file',
    arg: 'FILE',
    parse: text,
    help: 'read the access secret from this file instead of --access-secret',
  }),
  option({
    key: 'metricsPort',
    env: 'METRICS_PORT',
    flag: 'metrics-port',
    arg: 'N',
    parse: int(0, 65535),
    help: 'serve /metrics on this port only (not on PORT)',
  }),
  option({
    key: 'metricsHost',
    env: 'METRICS_HOST',
    flag: 'metrics-host',
    arg: 'ADDR',
    parse: text,
    help: 'address METRICS_PORT binds',
  }),
  option({
    key: 'frameAncestors',
    env: 'FRAME_ANCESTORS',
    flag: 'frame-ancestors',
    arg: 'ORIGINS',
    parse: originList,
    help: 'comma-separated origins whose pages may embed Parley in a frame (none: framing refused)',
  }),
];

/**
 * A comma-separated list of origins (`https://host[:port]`), as CSP's frame-ancestors takes
 * them. Wildcards, keywords and paths are refused: each names exactly one site the operator
 * trusts with the camera of the people in its frame.
 */
function originList(raw: string, name: string): string[] {
  const items = list(raw);
  for (const item of items) {
    let url: URL | null = null;
    try {
      url = new URL(item);
    } catch {
      // reported below
    }
    const ok =
      url !== null &&
      (url.protocol === 'https:' || url.protocol === 'http:') &&
      !item.includes('*') &&
      url.origin === item.replace(/\/$/, '');
    if (!ok) {
      throw new ConfigError(
        name,
        `"${item}" is not an origin: write scheme://host[:port] (for example https://intranet.example.org), without a path, wildcard or keyword such as * or 'self'`,
      );
    }
  }
  return items.map((item) => item.replace(/\/$/, ''));
}

/**
 * Secrets that may be read from a file (`X_FILE`), so they appear neither in `ps` nor in the
 * process environment. RESUME_SECRET_FILE is not one of them: it is where a generated resume key
 * is kept (see loadResumeKey).
 */
const SECRET_FILES = [
  { secret: 'turnSecret', file: 'turnSecretFile' },
  { secret: 'accessSecret', file: 'accessSecretFile' },
] as const satisfies ReadonlyArray<{ secret: keyof Config; file: keyof Config }>;

/** Fill each secret from its file; `given` names each option as it was set (variable or flag). */
function readSecretFiles(c: Config, given: ReadonlyMap<keyof Config, string>): void {
  for (const { secret, file } of SECRET_FILES) {
    const path = c[file];
    if (path === '') continue;
    const fileName = given.get(file) ?? file;
    if (c[secret] !== '') {
      throw new ConfigError(fileName, `cannot be used together with ${given.get(secret) ?? secret}; set one of them`);
    }
    let content: string;
    try {
      content = readFileSync(path, 'utf8');
    } catch (err) {
      throw new ConfigError(fileName, `cannot read "${path}": ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    // Files usually end with a newline; the secret does not.
    const value = content.replace(/(\r?\n)+$/, '');
    if (value === '') throw new ConfigError(fileName, `"${path}" is empty`);
    c[secret] = value;
  }
}

/** A comma-separated list of IPv4 or IPv6 addresses. */
function ipList(raw: string, name: string): string[] {
  const items = list(raw);
  for (const ip of items) if (isIP(ip) === 0) throw new ConfigError(name, `"${ip}" is not an IP address`);
  return items;
}

/** Checks that span several options, run after every value is parsed. */
function validate(c: Config): void {
  if (c.sfuPortMin > c.sfuPortMax) {
    throw new ConfigError('SFU_PORT_MAX', `must not be below SFU_PORT_MIN (${c.sfuPortMin})`);
  }
  // The engine picks its port from a range of at least 50 ports (a shorter one it widens on its
  // own, past what the firewall was opened for), or binds exactly one.
  if (c.sfuPortMax !== c.sfuPortMin && c.sfuPortMax - c.sfuPortMin < 50) {
    throw new ConfigError(
      'SFU_PORT_MAX',
      `must equal SFU_PORT_MIN (one port) or be at least 50 above it (${c.sfuPortMin + 50}), got ${c.sfuPortMax}`,
    );
  }
  if (c.roomMax < c.meshMax) throw new ConfigError('ROOM_MAX', `must not be below MESH_MAX (${c.meshMax})`);
  if (c.turnUrls.length > 0 && c.turnSecret === '') {
    throw new ConfigError('TURN_SECRET', 'is required when TURN_URLS is set');
  }
  if (c.turnSecret !== '' && c.turnUrls.length === 0) {
    throw new ConfigError('TURN_URLS', 'is required when TURN_SECRET is set');
  }
  if ((c.tlsCert === '') !== (c.tlsKey === '')) {
    throw new ConfigError(c.tlsCert === '' ? 'TLS_CERT' : 'TLS_KEY', 'TLS_CERT and TLS_KEY go together');
  }
  if (c.tlsCert !== '') c.https = true;
  if (c.accessSecret !== '' && c.accessSecret.length < ACCESS_SECRET_MIN) {
    // Never echo the secret itself.
    throw new ConfigError('ACCESS_SECRET', `must be at least ${ACCESS_SECRET_MIN} characters long`);
  }
  if (c.resumeSecret !== '' && c.resumeSecret.length < RESUME_SECRET_MIN) {
    throw new ConfigError('RESUME_SECRET', `must be at least ${RESUME_SECRET_MIN} characters long`);
  }
  if (c.metricsPort !== null && c.metricsPort !== 0 && c.metricsPort === c.port) {
    throw new ConfigError(
      'METRICS_PORT',
      `must differ from PORT (${c.port}): it keeps /metrics off the public port; leave it unset to serve /metrics on PORT`,
    );
  }
}

/**
 * Build the configuration: defaults, overridden by environment variables, overridden by
 * command-line flags (`--port 9000`, `--port=9000`, `--https`). Bad values throw a ConfigError
 * naming the option as it was given (the variable or the flag).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, argv: readonly string[] = []): Config {
  const c: Record<string, unknown> = { ...defaults };
  const given = new Map<keyof Config, string>();
  for (const o of options) {
    const raw = env[o.env];
    // An empty variable means "not set": the default applies.
    if (raw === undefined || raw.trim() === '') continue;
    c[o.key] = o.parse(raw, o.env);
    given.set(o.key, o.env);
  }
  for (const [o, raw] of parseFlags(argv)) {
    c[o.key] = o.parse(raw, `--${o.flag}`);
    given.set(o.key, `--${o.flag}`);
  }
  const config = c as unknown as Config;
  readSecretFiles(config, given);
  validate(config);
  return config;
}

/** `--name value`, `--name=value` and bare switches, matched against the option table. */
function parseFlags(argv: readonly string[]): Array<[OptionSpec, string]> {
  const out: Array<[OptionSpec, string]> = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] ?? '';
    const m = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/s.exec(token);
    if (!m) throw new ConfigError(token, 'unexpected argument (see --help)');
    const [, name = '', inline] = m;
    const negated = name.startsWith('no-') ? name.slice(3) : null;
    const spec = options.find((o) => o.flag === name || (negated !== null && o.flag === negated && !o.arg));
    if (!spec) throw new ConfigError(`--${name}`, 'unknown option (see --help)');
    if (!spec.arg) {
      out.push([spec, negated !== null ? 'false' : (inline ?? 'true')]);
      continue;
    }
    if (inline !== undefined) {
      out.push([spec, inline]);
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--'))
      throw new ConfigError(`--${name}`, `expects a value (${spec.arg})`);
    out.push([spec, value]);
    i++;
  }
  return out;
}

/** The `--help` text, generated from the option table. */
export function helpText(): string {
  const rows = options.map((o) => {
    const left = `  --${o.flag}${o.arg ? ` ${o.arg}` : ''}`;
    const def = defaults[o.key];
    const shown = Array.isArray(def) ? def.join(',') : def === null ? '' : String(def);
    const suffix =
      o.key === 'staticDir' ||
      o.key === 'turnSecret' ||
      o.key === 'accessSecret' ||
      o.key === 'resumeSecret' ||
      o.key === 'redisUrl' ||
      shown === ''
        ? ''
        : ` (default ${shown})`;
    return `${left.padEnd(29)} ${o.help}${suffix}  [${o.env}]`;
  });
  return [
    'Usage: parley [options]',
    '',
    'Self-hosted video calls. Every option can also be set with the environment variable',
    'in brackets; flags win over variables. See docs/CONFIG.md.',
    '',
    'Options:',
    ...rows,
    '  --help'.padEnd(30) + 'show this help',
    '  --version'.padEnd(30) + 'print the version',
    '',
  ].join('\n');
}
