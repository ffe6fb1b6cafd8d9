import { ConfigError } from './configError';

/** Access and abuse-protection settings (part of Config). Each is listed in docs/CONFIG.md. */
export interface AccessConfig {
  /** HS256 secret for invitation tokens; when set, joining needs a token. Env ACCESS_SECRET, default none. */
  accessSecret: string | null;
  /** How long a removed participant cannot rejoin, in seconds. Env BAN_SECONDS, default 600. */
  banSeconds: number;
  /** Messages per second per signaling connection (token bucket rate). Env RATE_MESSAGES_PER_SECOND, default 50; 0 = unlimited. */
  rateMessagesPerSecond: number;
  /** Burst of messages a connection may send at once. Env RATE_MESSAGES_BURST, default 200. */
  rateMessagesBurst: number;
  /** Messages refused in a row before the connection is closed. Env RATE_DISCONNECT_AFTER, default 100. */
  rateDisconnectAfter: number;
  /** Signaling connections per minute per client address. Env RATE_CONNECTIONS_PER_MINUTE, default 120; 0 = unlimited. */
  rateConnectionsPerMinute: number;
  /** Joins per minute per client address. Env RATE_JOINS_PER_MINUTE, default 60; 0 = unlimited. */
  rateJoinsPerMinute: number;
  /** Take the client address from X-Forwarded-For (behind a reverse proxy). Env TRUST_PROXY, default false. */
  trustProxy: boolean;
}

export const accessDefaults: AccessConfig = {
  accessSecret: null,
  banSeconds: 600,
  rateMessagesPerSecond: 50,
  rateMessagesBurst: 200,
  rateDisconnectAfter: 100,
  rateConnectionsPerMinute: 120,
  rateJoinsPerMinute: 60,
  trustProxy: false,
};

/** Shortest accepted ACCESS_SECRET, in characters (HS256 wants at least 256 bits of key). */
export const ACCESS_SECRET_MIN = 32;

function count(name: string, raw: string, max: number): number {
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `expected a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n > max) throw new ConfigError(name, `must be between 0 and ${max}, got ${n}`);
  return n;
}

/** Read the access settings from the environment; secrets are never echoed in errors. */
export function loadAccessConfig(env: NodeJS.ProcessEnv): AccessConfig {
  const c: AccessConfig = { ...accessDefaults };
  if (env.ACCESS_SECRET) {
    if (env.ACCESS_SECRET.length < ACCESS_SECRET_MIN) {
      throw new ConfigError('ACCESS_SECRET', `must be at least ${ACCESS_SECRET_MIN} characters long`);
    }
    c.accessSecret = env.ACCESS_SECRET;
  }
  const counts: Array<[keyof AccessConfig & string, string, number]> = [
    ['banSeconds', 'BAN_SECONDS', 7 * 24 * 3600],
    ['rateMessagesPerSecond', 'RATE_MESSAGES_PER_SECOND', 100_000],
    ['rateMessagesBurst', 'RATE_MESSAGES_BURST', 100_000],
    ['rateDisconnectAfter', 'RATE_DISCONNECT_AFTER', 1_000_000],
    ['rateConnectionsPerMinute', 'RATE_CONNECTIONS_PER_MINUTE', 1_000_000],
    ['rateJoinsPerMinute', 'RATE_JOINS_PER_MINUTE', 1_000_000],
  ];
  for (const [key, name, max] of counts) {
    const raw = env[name];
    if (raw !== undefined && raw !== '') (c as unknown as Record<string, number>)[key] = count(name, raw, max);
  }
  if (c.rateMessagesPerSecond > 0 && c.rateMessagesBurst < 1) {
    throw new ConfigError('RATE_MESSAGES_BURST', 'must be at least 1 when RATE_MESSAGES_PER_SECOND is set');
  }
  if (env.TRUST_PROXY !== undefined && env.TRUST_PROXY !== '') {
    if (!/^(true|false|1|0)$/.test(env.TRUST_PROXY)) {
      throw new ConfigError('TRUST_PROXY', `expected true or false, got "${env.TRUST_PROXY}"`);
    }
    c.trustProxy = env.TRUST_PROXY === 'true' || env.TRUST_PROXY === '1';
  }
  return c;
}
