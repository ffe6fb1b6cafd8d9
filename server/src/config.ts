import { accessDefaults, loadAccessConfig, type AccessConfig } from './accessConfig';
import { ConfigError } from './configError';
import { LOG_LEVELS, type LogLevel } from './logger';

export { ConfigError };

/** Server settings. Every option, its variable and default is listed in docs/CONFIG.md. */
export interface Config extends AccessConfig {
  /** TCP port of the HTTP + signaling server. Env PORT, default 8080. 0 picks a free port. */
  port: number;
  /** Bind address. Env HOST, default 0.0.0.0 (all interfaces). */
  host: string;
  /** Most participants in one room (mesh). Env MESH_MAX, default 6. */
  meshMax: number;
  /** STUN server URLs handed to clients. Env STUN_URLS (comma-separated), default none. */
  stunUrls: string[];
  /** Directory of the built web app. Env STATIC_DIR, default web/dist of this checkout. */
  staticDir: string;
  /** Log level. Env LOG_LEVEL, default info. */
  logLevel: LogLevel;
  /** Origins allowed to open signaling connections. Env ALLOWED_ORIGINS, default the page's own origin; `*` allows any. */
  allowedOrigins: string[];
}

export const defaultStaticDir = new URL('../../web/dist', import.meta.url).pathname;

export const defaults: Config = {
  port: 8080,
  host: '0.0.0.0',
  meshMax: 6,
  stunUrls: [],
  staticDir: defaultStaticDir,
  logLevel: 'info',
  allowedOrigins: [],
  ...accessDefaults,
};

function int(name: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `expected a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function list(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Read the configuration from environment variables, rejecting bad values with a ConfigError. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const c: Config = { ...defaults };
  if (env.PORT !== undefined && env.PORT !== '') c.port = int('PORT', env.PORT, 0, 65535);
  if (env.HOST) c.host = env.HOST;
  if (env.MESH_MAX) c.meshMax = int('MESH_MAX', env.MESH_MAX, 2, 50);
  if (env.STUN_URLS !== undefined) {
    c.stunUrls = list(env.STUN_URLS);
    for (const u of c.stunUrls) {
      if (!/^stuns?:/.test(u)) throw new ConfigError('STUN_URLS', `"${u}" is not a stun: or stuns: URL`);
    }
  }
  if (env.STATIC_DIR) c.staticDir = env.STATIC_DIR;
  if (env.LOG_LEVEL) {
    if (!(LOG_LEVELS as readonly string[]).includes(env.LOG_LEVEL)) {
      throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
    }
    c.logLevel = env.LOG_LEVEL as LogLevel;
  }
  if (env.ALLOWED_ORIGINS !== undefined) c.allowedOrigins = list(env.ALLOWED_ORIGINS);
  return { ...c, ...loadAccessConfig(env) };
}
