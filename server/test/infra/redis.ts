import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { connect as tcpConnect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureLines, killOnExit, removeOnExit, waitForExit } from './processes';

/** Debian's redis-server (package redis-server); REDIS_SERVER overrides. */
export function redisServerPath(): string | null {
  if (process.env.REDIS_SERVER) return process.env.REDIS_SERVER;
  for (const p of ['/usr/bin/redis-server', '/usr/local/bin/redis-server']) if (existsSync(p)) return p;
  return null;
}

export interface StartRedisOptions {
  /** Port to listen on; default a free port chosen by the system. */
  port?: number;
  /** How long to wait for the first PONG, in ms; default 10,000. */
  readyTimeoutMs?: number;
  /** More redis-server arguments, e.g. `['--maxmemory', '64mb']`. */
  args?: string[];
}

export interface RedisHandle {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Its working directory (temporary; removed when the test process exits). */
  readonly dir: string;
  /** The running process's id; 0 while stopped. */
  readonly pid: number;
  /** Everything redis-server printed (stdout and stderr), line by line, across restarts. */
  readonly output: string[];
  /** SIGTERM, and wait for the process to end. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL (an outage: no shutdown work), and wait for the process to end. Idempotent. */
  kill(): Promise<void>;
  /** Start again on the same port after stop()/kill(); resolves once it answers PING. */
  start(): Promise<void>;
  /** CPU time the current process has used (user + system), in seconds; 0 while stopped. */
  cpuSeconds(): number;
}

/** A free TCP port on 127.0.0.1 (the system's choice for port 0, released again). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Sends one RESP command over a fresh TCP connection to 127.0.0.1:`port` and resolves with the
 * raw reply once it is complete (a simple reply line, or a bulk string), or null when the
 * connection fails or nothing complete comes within `timeoutMs`.
 */
function command(port: number, args: string[], timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: '127.0.0.1', port });
    let reply = '';
    const done = (value: string | null): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    socket.once('connect', () =>
      socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`),
    );
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      const eol = reply.indexOf('\r\n');
      if (eol < 0) return;
      if (!reply.startsWith('$')) return done(reply.slice(0, eol));
      const length = Number(reply.slice(1, eol));
      if (length < 0) return done('');
      if (reply.length >= eol + 2 + length) done(reply.slice(eol + 2, eol + 2 + length));
    });
    socket.once('error', () => done(null));
    socket.once('close', () => done(null));
  });
}

/**
 * One RESP `PING` over a fresh TCP connection: true on `+PONG`, false on anything else
 * (refused, reset, an error reply such as `-LOADING`) or after `timeoutMs`.
 */
export async function pingRedis(port: number, timeoutMs = 1_000): Promise<boolean> {
  return (await command(port, ['PING'], timeoutMs)) === '+PONG';
}

/** The process id of the redis-server answering on `port` (INFO server), or null. */
export async function redisPid(port: number, timeoutMs = 1_000): Promise<number | null> {
  const info = await command(port, ['INFO', 'server'], timeoutMs);
  const pid = /^process_id:(\d+)/m.exec(info ?? '')?.[1];
  return pid === undefined ? null : Number(pid);
}

/** utime + stime of `pid` from /proc/<pid>/stat, in seconds; 0 when the process is gone. */
export function processCpuSeconds(pid: number): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 0;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count from after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 (utime, stime) are the 12th and 13th after the name, in clock ticks.
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / CLOCK_TICKS_PER_SECOND;
}

/** USER_HZ: 100 on every Linux architecture Node runs on (sysconf(_SC_CLK_TCK)). */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * Starts Debian's `redis-server` on 127.0.0.1 on a free port, in a temporary directory, with no
 * persistence (`--save ''`, `--appendonly no`) and in the foreground; resolves once it answers
 * PING (and INFO names its process: not another redis-server that had the port). The process is
 * killed, and the directory removed, when the test process exits, however it exits.
 */
export async function startRedis(opts: StartRedisOptions = {}): Promise<RedisHandle> {
  const bin = redisServerPath();
  if (bin === null) {
    throw new Error('redis-server is not installed (Debian package redis-server; scripts/test.sh installs it)');
  }
  const port = opts.port ?? (await freePort());
  const readyTimeoutMs = opts.readyTimeoutMs ?? 10_000;
  const dir = mkdtempSync(join(tmpdir(), 'parley-redis-'));
  removeOnExit(dir);
  const output: string[] = [];
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  const launch = async (): Promise<void> => {
    if (child !== null) throw new Error(`redis-server on port ${port} is already running`);
    const args = [
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--daemonize',
      'no',
      ...(opts.args ?? []),
    ];
    const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    const forget = killOnExit(proc);
    captureLines(proc, output);
    let exitInfo: string | null = null;
    exited = waitForExit(proc).then((info) => {
      exitInfo = info;
      forget();
      if (child === proc) child = null;
    });
    const deadline = Date.now() + readyTimeoutMs;
    while (Date.now() < deadline) {
      if (exitInfo !== null) break;
      // Ours, not another redis-server already on the port (then ours exits: address in use).
      if ((await pingRedis(port, 500)) && (await redisPid(port, 500)) === proc.pid) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    proc.kill('SIGKILL');
    await exited;
    throw new Error(
      `redis-server did not answer PING on 127.0.0.1:${port} within ${readyTimeoutMs} ms` +
        (exitInfo !== null ? ` (it ${exitInfo})` : '') +
        `; its output:\n${output.join('\n') || '(none)'}`,
    );
  };

  const end = async (signal: NodeJS.Signals): Promise<void> => {
    const proc = child;
    if (proc !== null) proc.kill(signal);
    await exited;
  };

  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    get pid() {
      return child?.pid ?? 0;
    },
    output,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
    start: launch,
    cpuSeconds: () => (child?.pid ? processCpuSeconds(child.pid) : 0),
  };
}
