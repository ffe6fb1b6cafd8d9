/** Starting the processes a benchmark measures or drives: servers and load generators. */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Compiled helpers live under node_modules so their imports resolve from the checkout. */
const CACHE = join(ROOT, 'node_modules', '.cache', 'parley-bench');

/**
 * Compile a TypeScript entry of bench/ to plain JavaScript (dependencies stay imports), so the
 * process that runs it carries no TypeScript loader: its CPU and memory are its own.
 */
export async function compile(entry: string): Promise<string> {
  mkdirSync(CACHE, { recursive: true });
  const outfile = join(CACHE, basename(entry).replace(/\.ts$/, '.mjs'));
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: 'node20',
    format: 'esm',
    logLevel: 'warning',
  });
  return outfile;
}

export interface ServerProcess {
  url: string;
  port: number;
  pid: number;
  proc: ChildProcess;
  /** The last few kilobytes the process wrote on stderr (why it exited, when it did). */
  stderrTail(): string;
  stop(): Promise<void>;
}

/**
 * Start a server process on 127.0.0.1, port 0, and wait for its "open http://host:port" line
 * on stderr. Its stdout (logs) is discarded.
 */
export async function startServerProcess(
  script: string,
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<ServerProcess> {
  const proc = spawn(process.execPath, [...nodeArgs, script], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start: ${output}`)), 15_000);
    proc.stderr?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8192);
      const m = /open http:\/\/[^:]+:(\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code}: ${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    pid: proc.pid as number,
    proc,
    stderrTail: () => output,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = once(proc, 'exit');
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A child process speaking JSON-free IPC (structured clone), for load-generator workers. */
export interface Worker<In, Out> {
  proc: ChildProcess;
  send(msg: In): void;
  /** Resolve with the next message of the given type. */
  next<T extends Out & { type: string }>(type: T['type'], timeoutMs: number): Promise<T>;
  kill(): void;
}

export function forkWorker<In, Out extends { type: string }>(script: string): Worker<In, Out> {
  const proc = fork(script, [], { cwd: ROOT, execArgv: [], serialization: 'advanced', stdio: 'inherit' });
  const queue: Out[] = [];
  const waiters: Array<(m: Out) => boolean> = [];
  proc.on('message', (m: Out) => {
    const i = waiters.findIndex((w) => w(m));
    if (i >= 0) waiters.splice(i, 1);
    else queue.push(m);
  });
  return {
    proc,
    send: (msg) => {
      if (proc.connected) proc.send(msg as object);
    },
    next<T extends Out & { type: string }>(type: T['type'], timeoutMs: number): Promise<T> {
      const queued = queue.findIndex((m) => m.type === type);
      if (queued >= 0) return Promise.resolve(queue.splice(queued, 1)[0] as T);
      return new Promise<T>((resolve, reject) => {
        const onExit = (code: number | null): void => {
          clearTimeout(timer);
          reject(new Error(`worker exited (${code}) while waiting for "${type}"`));
        };
        const timer = setTimeout(() => {
          proc.off('exit', onExit);
          reject(new Error(`worker sent no "${type}" within ${timeoutMs} ms`));
        }, timeoutMs);
        proc.once('exit', onExit);
        waiters.push((m) => {
          if (m.type !== type) return false;
          clearTimeout(timer);
          proc.off('exit', onExit);
          resolve(m as unknown as T);
          return true;
        });
      });
    },
    kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    },
  };
}
