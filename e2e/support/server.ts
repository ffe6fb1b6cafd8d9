import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The servers' state directory (resume key, generated certificate): one per test file, so a
 * restarted server finds what the previous one kept, and nothing lands in the tester's home.
 */
const STATE_HOME = mkdtempSync(join(tmpdir(), 'parley-e2e-state-'));

export interface RunningServer {
  url: string;
  port: number;
  proc: ChildProcess;
  /** Kill the process (SIGKILL by default: the server vanishes, as in a crash). */
  kill(signal?: NodeJS.Signals): Promise<number | null>;
  /** Lines the server printed, for diagnosis. */
  output: string[];
}

/**
 * Start the built server (server/dist/cli.js) as a child process on 127.0.0.1. With port 0 a
 * free port is chosen; pass a port to restart on the same address.
 */
export async function startServer(
  opts: {
    port?: number;
    env?: Record<string, string>;
    args?: string[];
    /** Run inside this network namespace, bound to `host` (a network lab node: see netlab.ts). */
    netns?: { ns: string; host: string };
  } = {},
): Promise<RunningServer> {
  const host = opts.netns?.host ?? '127.0.0.1';
  const command = ['server/dist/cli.js', ...(opts.args ?? [])];
  const [file, args] = opts.netns
    ? ['ip', ['netns', 'exec', opts.netns.ns, process.execPath, ...command]]
    : [process.execPath, command];
  const proc = spawn(file, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      XDG_STATE_HOME: STATE_HOME,
      PORT: String(opts.port ?? 0),
      HOST: host,
      LOG_LEVEL: 'warn',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  let scheme = 'http';
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString();
      output.push(text);
      const m = /open (https?):\/\/[^:]+:(\d+)/.exec(text);
      if (m) {
        scheme = m[1] ?? 'http';
        resolve(Number(m[2]));
      }
    };
    proc.stdout?.on('data', (c: Buffer) => output.push(c.toString()));
    proc.stderr?.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output.join('')}`)));
  });
  return {
    url: `${scheme}://${host}:${port}`,
    port,
    proc,
    output,
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill(signal);
      const [code] = (await once(proc, 'exit')) as [number | null];
      return code;
    },
  };
}
