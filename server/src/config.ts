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
  /** Most participants in one room (mesh). Env MESH_MAX, default 6. */
  meshMax: number;
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
  /** Signaling connections per minute per client address. Env RATE_CONNECTIONS_PER_MINUTE, default 120; 0 = unlimited. */
  rateConnectionsPerMinute: number;
  /** Joins per minute per client address. Env RATE_JOINS_PER_MINUTE, default 60; 0 = unlimited. */
  rateJoinsPerMinute: number;
  /** Speak the seed protocol on the default namespace `/`. Env SEED_PROTOCOL, default true; with ACCESS_SECRET a seed join needs an invitation token. */
  seedProtocol: boolean;
  /** Origins allowed to open the seed namespace from a browser. Env SEED_ALLOWED_ORIGINS, default `*` (any: the seed's app is served from its own origin); */
  seedAllowedOrigins: string[];
}

/** Shortest accepted ACCESS_SECRET, in characters (HS256 wants at least 256 bits of key). */
export const ACCESS_SECRET_MIN = 32;

export const defaultStaticDir = new URL('../../web/dist', import.meta.url).pathname;

export const defaults: Config = {
  port: 8080,
  host: '0.0.0.0',
  meshMax: 6,
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
  seedProtocol: true,
  seedAllowedOrigins: ['*'],
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
    help: 'most participants in one room',
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
    help: 'signaling connections per minute per address (0 = unlimited)',
  }),
  option({
    key: 'rateJoinsPerMinute',
    env: 'RATE_JOINS_PER_MINUTE',
    flag: 'rate-joins-per-minute',
    arg: 'N',
    parse: int(0, 1_000_000),
    help: 'joins per minute per address (0 = unlimited)',
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
];

/** Checks that span several options, run after every value is parsed. */
function validate(c: Config): void {
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
}

/**
 * Build the configuration: defaults, overridden by environment variables, overridden by
 * command-line flags (`--port 9000`, `--port=9000`, `--https`). Bad values throw a ConfigError
 * naming the option as it was given (the variable or the flag).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, argv: readonly string[] = []): Config {
  const c: Record<string, unknown> = { ...defaults };
  for (const o of options) {
    const raw = env[o.env];
    // An empty variable means "not set": the default applies.
    if (raw === undefined || raw.trim() === '') continue;
    c[o.key] = o.parse(raw, o.env);
  }
  for (const [o, raw] of parseFlags(argv)) c[o.key] = o.parse(raw, `--${o.flag}`);
  const config = c as unknown as Config;
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
    const shown = Array.isArray(def) ? def.join(',') : String(def);
    const suffix =
      o.key === 'staticDir' || o.key === 'turnSecret' || o.key === 'accessSecret' || shown === ''
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
