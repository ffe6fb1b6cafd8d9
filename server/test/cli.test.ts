import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join as pathJoin } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, test } from 'node:test';
import type { Participant } from '@parley/protocol';
import { closeAllSockets, connect, join, next } from './support';
import { fakeWebRoot } from './support';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Cli {
  proc: ChildProcess;
  stdout: string[];
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/** Run the server's command line from source, as `parley` would. */
function runCli(args: string[], env: Record<string, string> = {}): Cli {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/src/cli.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', STATIC_DIR: fakeWebRoot(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  proc.stdout?.on('data', (c: Buffer) => stdout.push(c.toString()));
  proc.stderr?.on('data', (c: Buffer) => stderr.push(c.toString()));
  const exited = once(proc, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
    at: Date.now(),
  }));
  return { proc, stdout, stderr, exited };
}

async function started(cli: Cli): Promise<string> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const m = /open (https?):\/\/[^:]+:(\d+)/.exec(cli.stderr.join(''));
    if (m) return `${m[1]}://127.0.0.1:${m[2]}`;
    if (cli.proc.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the server did not start: ${cli.stderr.join('')}`);
}

const running = new Set<Cli>();
afterEach(() => {
  closeAllSockets();
  for (const c of running) c.proc.kill('SIGKILL');
  running.clear();
});

describe('command line', () => {
  test('--help lists every flag and exits 0', async () => {
    const cli = runCli(['--help']);
    const { code } = await cli.exited;
    assert.equal(code, 0);
    const help = cli.stdout.join('');
    for (const flag of ['--port', '--host', '--turn-urls', '--turn-secret', '--turn-ttl', '--https', '--tls-cert']) {
      assert.ok(help.includes(flag), flag);
    }
    assert.ok(help.includes('[TRUST_PROXY]'));
  });

  test('--version prints the version of package.json', async () => {
    const cli = runCli(['--version']);
    const { code } = await cli.exited;
    assert.equal(code, 0);
    const pkg = JSON.parse(readFileSync(pathJoin(ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(cli.stdout.join(''), `parley ${pkg.version}\n`);
  });

  test('a bad value stops start-up with a message naming the option (exit 2)', async () => {
    const cases: Array<[string[], Record<string, string>, string]> = [
      [[], { PORT: 'eighty' }, 'PORT'],
      [['--mesh-max', '1'], {}, '--mesh-max'],
      [['--turn-urls', 'turn:127.0.0.1:3478'], {}, 'TURN_SECRET'],
      [['--bogus'], {}, '--bogus'],
      [['--tls-cert', '/nonexistent/cert.pem', '--tls-key', '/nonexistent/key.pem'], {}, 'TLS_CERT'],
      [[], { TURN_URLS: 'turn:127.0.0.1:3478', TURN_SECRET_FILE: '/nonexistent/turn-secret' }, 'TURN_SECRET_FILE'],
      [['--access-secret-file', '/nonexistent/access-secret'], {}, '--access-secret-file'],
    ];
    for (const [args, env, option] of cases) {
      const cli = runCli(args, env);
      running.add(cli);
      const { code } = await cli.exited;
      const err = cli.stderr.join('');
      assert.equal(code, 2, `${args.join(' ')} ${JSON.stringify(env)}: exit code (stderr: ${err})`);
      assert.match(err, new RegExp(`invalid configuration: ${option.replace(/-/g, '\\-')}:`), err);
    }
  });

  test('two starts with --https serve the same kept self-signed certificate', async () => {
    const state = mkdtempSync(pathJoin(tmpdir(), 'parley-xdg-'));
    const fingerprints: string[] = [];
    for (let i = 0; i < 2; i++) {
      const cli = runCli(['--https'], { XDG_STATE_HOME: state });
      running.add(cli);
      const url = await started(cli);
      fingerprints.push(
        await new Promise<string>((resolve, reject) => {
          httpsGet(`${url}/healthz`, { rejectUnauthorized: false }, (res) => {
            resolve((res.socket as TLSSocket).getPeerCertificate().fingerprint256);
            res.resume();
          }).on('error', reject);
        }),
      );
      cli.proc.kill('SIGTERM');
      await cli.exited;
    }
    assert.equal(fingerprints[0], fingerprints[1]);
    const file = pathJoin(state, 'parley', 'self-signed.pem');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(new X509Certificate(readFileSync(file, 'utf8')).fingerprint256, fingerprints[0]);
  });

  test('SIGTERM during a call notifies the clients and exits 0 within SHUTDOWN_TIMEOUT', async () => {
    const cli = runCli(['--shutdown-timeout', '4']);
    running.add(cli);
    const url = await started(cli);
    const [a, b] = await Promise.all([connect(url), connect(url)]);
    await join(a, { room: 'shutdown-1', name: 'A' });
    const joined = next<{ participant: Participant }>(a, 'participant-joined');
    await join(b, { room: 'shutdown-1', name: 'B' });
    await joined;
    const notices = [next(a, 'server-shutdown', 4_000), next(b, 'server-shutdown', 4_000)];
    const reasons = [next<string>(a, 'disconnect', 5_000), next<string>(b, 'disconnect', 5_000)];
    const sentAt = Date.now();
    cli.proc.kill('SIGTERM');
    assert.deepEqual(await Promise.all(notices), [{ reconnect: true }, { reconnect: true }]);
    // The connection then closes the way a client reconnects from (not a server kick).
    assert.deepEqual(await Promise.all(reasons), ['transport close', 'transport close']);
    const { code, at } = await cli.exited;
    assert.equal(code, 0);
    // The server's bound is 4 s from the signal; allow 1 s for the process itself to end.
    assert.ok(at - sentAt < 5_000, `exited within the 4 s bound (took ${at - sentAt} ms)`);
  });
});
