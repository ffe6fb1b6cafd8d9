import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as pathJoin } from 'node:path';
import { PARLEY_NAMESPACE, type JoinOk, type JoinReply, type JoinRequest } from '@parley/protocol';
import { io, type Socket } from 'socket.io-client';
import { defaults, type Config } from '../src/config';
import { createLogger, type Logger } from '../src/logger';
import { ParleyServer } from '../src/ParleyServer';

/** A static directory with a recognisable index.html, so HTTP tests need no web build. */
export function fakeWebRoot(): string {
  const dir = mkdtempSync(pathJoin(tmpdir(), 'parley-web-'));
  writeFileSync(pathJoin(dir, 'index.html'), '<!doctype html><title>Parley test index</title>');
  return dir;
}

/**
 * Abuse limits are off on test servers unless a test sets them: many tests open connections
 * and join rooms quickly from one address. The limits have their own tests.
 */
const noLimits: Partial<Config> = {
  rateMessagesPerSecond: 0,
  rateConnectionsPerMinute: 0,
  rateJoinsPerMinute: 0,
  rateStrikesPerMinute: 0,
  rateAddressStrikesPerMinute: 0,
};

/** Test servers keep their resume key in memory: no file under the tester's home directory. */
const noFiles: Partial<Config> = { resumeSecretFile: '' };

/** A real server on 127.0.0.1, port 0. */
export async function startTestServer(
  overrides: Partial<Config> = {},
  log: Logger = createLogger('silent'),
): Promise<{ server: ParleyServer; url: string }> {
  const server = new ParleyServer(
    {
      ...defaults,
      ...noLimits,
      ...noFiles,
      host: '127.0.0.1',
      port: 0,
      staticDir: fakeWebRoot(),
      logLevel: 'silent',
      ...overrides,
    },
    log,
  );
  const port = await server.listen();
  return { server, url: `http://127.0.0.1:${port}` };
}

const sockets = new Set<Socket>();

export async function connect(url: string, namespace = PARLEY_NAMESPACE): Promise<Socket> {
  const socket = io(url + namespace, { transports: ['websocket'], reconnection: false, forceNew: true });
  sockets.add(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

export function closeAllSockets(): void {
  for (const s of sockets) s.disconnect();
  sockets.clear();
}

export function request<T>(socket: Socket, event: string, payload?: unknown): Promise<T> {
  return socket.timeout(5_000).emitWithAck(event, payload) as Promise<T>;
}

export async function join(socket: Socket, req: JoinRequest): Promise<JoinOk> {
  const reply = await request<JoinReply>(socket, 'join', req);
  if (!reply.ok) throw new Error(`join refused: ${reply.error}`);
  return reply;
}

/** Resolve with the next `event` on `socket`, or reject after `ms`. */
export function next<T = unknown>(socket: Socket, event: string, ms = 2_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, on);
      reject(new Error(`no "${event}" within ${ms} ms`));
    }, ms);
    const on = (payload: T): void => {
      clearTimeout(timer);
      resolve(payload);
    };
    socket.once(event, on);
  });
}

/** Collect every `event` received on `socket` from now on. */
export function collect<T = unknown>(socket: Socket, event: string): T[] {
  const out: T[] = [];
  socket.on(event, (p: T) => out.push(p));
  return out;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
