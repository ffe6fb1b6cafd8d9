import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

/**
 * Processes and directories the test helpers started, killed and removed when the test process
 * ends however it ends (a failed assertion, an uncaught exception, Ctrl-C, the runner's SIGTERM),
 * so that no redis-server or nginx outlives a crashed test file. Only SIGKILL of the test
 * process itself escapes this.
 */
const children = new Map<ChildProcess, NodeJS.Signals>();
const dirs = new Set<string>();
let installed = false;

function cleanUp(): void {
  for (const [child, signal] of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  }
  children.clear();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', cleanUp);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      cleanUp();
      // Then die of the signal as the process would have without this handler.
      process.off(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

/** Send `signal` to `child` if it still runs when this process exits. Returns "forget it". */
export function killOnExit(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): () => void {
  install();
  children.set(child, signal);
  return () => children.delete(child);
}

/** Remove `dir` (recursively) when this process exits. */
export function removeOnExit(dir: string): void {
  install();
  dirs.add(dir);
}

/** Resolves once `child` has ended, with how it ended ("exited with code 1", "was killed by SIGKILL"). */
export function waitForExit(child: ChildProcess): Promise<string> {
  if (child.exitCode !== null) return Promise.resolve(`exited with code ${child.exitCode}`);
  if (child.signalCode !== null) return Promise.resolve(`was killed by ${child.signalCode}`);
  return new Promise((resolve) => {
    child.once('error', (err) => resolve(`could not start: ${err.message}`));
    child.once('exit', (code, signal) => resolve(signal ? `was killed by ${signal}` : `exited with code ${code}`));
  });
}

/** Collects a child's stdout and stderr into `output`, one entry per line. */
export function captureLines(child: ChildProcess, output: string[]): void {
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (text: string) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      output.push(...lines);
    });
    stream.on('end', () => {
      if (partial) output.push(partial);
    });
  }
}
