import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { selfSignedCertificate } from '../../src/tls';
import { captureLines, killOnExit, removeOnExit, waitForExit } from './processes';
import { freePort } from './redis';

/** The configuration operators install (docs/OPERATIONS.md), the one the tests run. */
export const NGINX_CONF = fileURLToPath(new URL('../../../deploy/nginx/parley.conf', import.meta.url));

/** Debian's nginx (package nginx) is /usr/sbin/nginx, off a non-root PATH; NGINX overrides. */
export function nginxPath(): string | null {
  if (process.env.NGINX) return process.env.NGINX;
  for (const p of ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx']) if (existsSync(p)) return p;
  return null;
}

export interface RenderOptions {
  /** The Parley servers, `host:port` each (e.g. `127.0.0.1:41234`), in both upstream groups. */
  upstreams: string[];
  /** What the server listens on, e.g. `127.0.0.1:8443`. */
  listen: string;
  /** Serve TLS (the file's `listen ... ssl`); false serves plain HTTP on the same port. */
  tls: boolean;
  /** Certificate and key files for `ssl_certificate` / `ssl_certificate_key`. */
  certFile: string;
  keyFile: string;
}

/**
 * deploy/nginx/parley.conf with its placeholders (the lines marked EDIT) replaced: the `server`
 * lines of each upstream block by one line per upstream (options kept from the file's first
 * line), the `listen` lines by one `listen`, the certificate paths. Everything else is the file
 * as shipped. Throws when a placeholder is not where the file documents it, so that the file
 * and the tests cannot drift apart silently.
 */
export function renderNginxConf(text: string, opts: RenderOptions): string {
  if (opts.upstreams.length === 0) throw new TypeError('upstreams: at least one host:port');
  for (const u of opts.upstreams) {
    if (!/^[\w.-]+:\d+$|^\[[\da-f:]+\]:\d+$/i.test(u)) throw new TypeError(`upstreams: "${u}" is not host:port`);
  }
  const lines = text.split('\n');
  const out: string[] = [];
  let upstream: string | null = null;
  let serversWritten = false;
  let listenWritten = false;
  const found = { upstreams: new Set<string>(), cert: false, key: false };
  for (const line of lines) {
    const open = /^\s*upstream\s+(\S+)\s*\{/.exec(line);
    if (open) {
      upstream = open[1] ?? null;
      serversWritten = false;
      out.push(line);
      continue;
    }
    if (upstream !== null && /^\s*\}/.test(line)) {
      if (!serversWritten) throw new Error(`${NGINX_CONF}: upstream ${upstream} has no server line`);
      found.upstreams.add(upstream);
      upstream = null;
      out.push(line);
      continue;
    }
    const server = /^(\s*server\s+)(\S+)((?:\s+[^;#\s]+)*;)/.exec(line);
    if (upstream !== null && server) {
      if (!serversWritten) {
        for (const u of opts.upstreams) out.push(`${server[1]}${u}${server[3]}`);
        serversWritten = true;
      }
      continue;
    }
    const listen = /^(\s*)listen\s+[^;]*;/.exec(line);
    if (listen) {
      if (!listenWritten) out.push(`${listen[1]}listen ${opts.listen}${opts.tls ? ' ssl' : ''};`);
      listenWritten = true;
      continue;
    }
    const cert = /^(\s*)(ssl_certificate|ssl_certificate_key)\s+[^;]*;/.exec(line);
    if (cert) {
      const key = cert[2] === 'ssl_certificate_key';
      out.push(`${cert[1]}${cert[2]} ${key ? opts.keyFile : opts.certFile};`);
      found[key ? 'key' : 'cert'] = true;
      continue;
    }
    out.push(line);
  }
  const missing = [
    ...['parley_any', 'parley_sticky'].filter((u) => !found.upstreams.has(u)).map((u) => `upstream ${u}`),
    ...(listenWritten ? [] : ['listen']),
    ...(found.cert ? [] : ['ssl_certificate']),
    ...(found.key ? [] : ['ssl_certificate_key']),
  ];
  if (missing.length > 0) throw new Error(`${NGINX_CONF}: placeholder not found: ${missing.join(', ')}`);
  return out.join('\n');
}

export interface StartNginxOptions {
  /** The Parley servers behind it, `host:port` each (e.g. `new URL(url).host`). */
  upstreams: string[];
  /** Port on 127.0.0.1; default a free one. */
  port?: number;
  /**
   * Terminate TLS with a generated self-signed certificate for 127.0.0.1 and localhost, as the
   * shipped file does; default false (plain HTTP, so that browsers and clients need no
   * certificate exception: 127.0.0.1 is a secure context anyway). With TLS the servers see
   * `X-Forwarded-Proto: https`.
   */
  tls?: boolean;
  /** How long to wait for the port to accept, in ms; default 10,000. */
  readyTimeoutMs?: number;
}

export interface NginxHandle {
  /** `http://127.0.0.1:<port>` (`https://` with `tls`). */
  readonly url: string;
  readonly port: number;
  /** The temporary prefix directory (configuration, logs, temp files). */
  readonly dir: string;
  /** The configuration file that included the rendered parley.conf. */
  readonly config: string;
  /** Everything nginx printed on stdout and stderr (its error log goes to `dir`/error.log too). */
  readonly output: string[];
  /**
   * The access log so far, one entry per request: `method`, `uri`, the `transport` and `sid`
   * query arguments, `status` and `upstream` (the `host:port` that answered; several, comma
   * separated, when nginx tried more than one). Empty strings for what the request did not have.
   * nginx writes a request's line when it ends: a WebSocket appears once it has closed.
   */
  accessLog(): AccessLogEntry[];
  /** Fast shutdown (SIGTERM to the master, which ends its workers); waits. Idempotent. */
  stop(): Promise<void>;
}

export interface AccessLogEntry {
  method: string;
  uri: string;
  transport: string;
  sid: string;
  status: number;
  upstream: string;
}

/** Whether 127.0.0.1:`port` accepts a TCP connection now. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = tcpConnect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * Runs Debian's nginx with deploy/nginx/parley.conf (rendered by renderNginxConf) in a temporary
 * prefix directory, in the foreground: nothing under /etc/nginx or /var is read or written, no
 * port but its own. Resolves once its port accepts connections. Stopped when the test process
 * exits, however it exits.
 */
export async function startNginx(opts: StartNginxOptions): Promise<NginxHandle> {
  const bin = nginxPath();
  if (bin === null) throw new Error('nginx is not installed (Debian package nginx; scripts/test.sh installs it)');
  const port = opts.port ?? (await freePort());
  const tls = opts.tls ?? false;
  const readyTimeoutMs = opts.readyTimeoutMs ?? 10_000;
  const dir = mkdtempSync(join(tmpdir(), 'parley-nginx-'));
  removeOnExit(dir);
  // Workers run as an unprivileged user when nginx starts as root: they must reach the temp dirs.
  chmodSync(dir, 0o755);
  for (const sub of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, sub));
  const cert = await selfSignedCertificate({ dns: ['localhost'], ips: ['127.0.0.1'] });
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  writeFileSync(certFile, cert.cert);
  writeFileSync(keyFile, cert.key, { mode: 0o600 });
  writeFileSync(
    join(dir, 'parley.conf'),
    renderNginxConf(readFileSync(NGINX_CONF, 'utf8'), {
      upstreams: opts.upstreams,
      listen: `127.0.0.1:${port}`,
      tls,
      certFile,
      keyFile,
    }),
  );
  const config = join(dir, 'nginx.conf');
  const log = join(dir, 'access.log');
  writeFileSync(
    config,
    [
      "# Written by server/test/infra/nginx.ts: what Debian's /etc/nginx/nginx.conf gives parley.conf.",
      'worker_processes 1;',
      'events { worker_connections 1024; }',
      'http {',
      `    client_body_temp_path ${dir}/client_body;`,
      `    proxy_temp_path ${dir}/proxy;`,
      `    fastcgi_temp_path ${dir}/fastcgi;`,
      `    uwsgi_temp_path ${dir}/uwsgi;`,
      `    scgi_temp_path ${dir}/scgi;`,
      `    log_format parley_test '$request_method\\t$uri\\t$arg_transport\\t$arg_sid\\t$status\\t$upstream_addr';`,
      `    access_log ${log} parley_test;`,
      `    include ${dir}/parley.conf;`,
      '}',
      '',
    ].join('\n'),
  );
  const output: string[] = [];
  const proc = spawn(
    bin,
    [
      '-p',
      dir,
      '-e',
      join(dir, 'error.log'),
      '-c',
      config,
      '-g',
      `daemon off; pid ${dir}/nginx.pid; error_log ${dir}/error.log;`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // SIGTERM, not SIGKILL: the master then ends its workers, which would outlive a killed master.
  const forget = killOnExit(proc, 'SIGTERM');
  captureLines(proc, output);
  let exitInfo: string | null = null;
  const exited = waitForExit(proc).then((info) => {
    exitInfo = info;
    forget();
  });
  const errorLog = (): string => {
    try {
      return readFileSync(join(dir, 'error.log'), 'utf8');
    } catch {
      return '';
    }
  };
  const pidFromFile = (): number | null => {
    try {
      return Number(readFileSync(join(dir, 'nginx.pid'), 'utf8').trim());
    } catch {
      return null;
    }
  };
  const deadline = Date.now() + readyTimeoutMs;
  let up = false;
  while (Date.now() < deadline && exitInfo === null) {
    // Ours, not another server already on the port: nginx writes its pid file once it has bound
    // its port (and exits without one when it cannot).
    if (pidFromFile() === proc.pid && (await accepts(port))) {
      up = true;
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!up) {
    proc.kill('SIGTERM');
    await exited;
    throw new Error(
      `nginx did not accept on 127.0.0.1:${port} within ${readyTimeoutMs} ms` +
        (exitInfo !== null ? ` (it ${exitInfo})` : '') +
        `; its output:\n${[...output, errorLog()].join('\n').trim() || '(none)'}`,
    );
  }
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    dir,
    config,
    output,
    accessLog: () => {
      let text = '';
      try {
        text = readFileSync(log, 'utf8');
      } catch {
        return [];
      }
      return text
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => {
          const [method = '', uri = '', transport = '', sid = '', status = '0', upstream = ''] = l.split('\t');
          // nginx writes "-" for an empty variable.
          const value = (v: string): string => (v === '-' ? '' : v);
          return {
            method,
            uri,
            transport: value(transport),
            sid: value(sid),
            status: Number(status),
            upstream: value(upstream),
          };
        });
    },
    stop: async () => {
      if (exitInfo === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}
