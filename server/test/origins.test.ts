import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import pino from 'pino';
import { io, type Socket } from 'socket.io-client';
import type { Config } from '../src/config';
import type { ParleyServer } from '../src/ParleyServer';
import { startTestServer } from './support';

const servers: ParleyServer[] = [];
const open: Socket[] = [];
after(async () => {
  for (const s of open) s.close();
  await Promise.all(servers.map((s) => s.close()));
});

async function start(overrides: Partial<Config> = {}): Promise<{ url: string; warnings: () => string[] }> {
  const lines: string[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
  const { server, url } = await startTestServer(overrides, log);
  servers.push(server);
  const warnings = (): string[] =>
    lines
      .map((l) => JSON.parse(l) as { level: number; subsystem?: string; msg: string })
      .filter((l) => l.level === 40 && l.subsystem === 'origin')
      .map((l) => l.msg);
  return { url, warnings };
}

/** Connect to `namespace` as a page served from `origin` would. */
function connectFrom(
  url: string,
  namespace: string,
  origin: string,
  transports: Array<'websocket' | 'polling'> = ['websocket'],
): Promise<Socket> {
  const socket = io(url + namespace, { transports, reconnection: false, forceNew: true, extraHeaders: { origin } });
  open.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

type OriginError = Error & { data?: { error: string; origin: string; option: string } };

describe('browser origins', () => {
  test('with the defaults a seed client from another origin connects; /parley stays same-origin with a readable refusal and one warning', async () => {
    const { url, warnings } = await start();
    const seedApp = 'http://localhost:3000';
    for (const transports of [['websocket'], ['polling']] as const) {
      const s = await connectFrom(url, '/', seedApp, [...transports]);
      assert.deepEqual(await s.timeout(2_000).emitWithAck('join', { username: 'a', room: 'r' }), { ok: true });
    }
    await connectFrom(url, '/parley', url); // the page's own origin
    for (const transports of [['websocket'], ['polling'], ['websocket']] as const) {
      await assert.rejects(connectFrom(url, '/parley', seedApp, [...transports]), (err: OriginError) => {
        assert.match(err.message, /origin http:\/\/localhost:3000 may not open \/parley.*ALLOWED_ORIGINS/);
        assert.deepEqual(err.data, { error: 'origin-not-allowed', origin: seedApp, option: 'ALLOWED_ORIGINS' });
        return true;
      });
    }
    await assert.rejects(connectFrom(url, '/parley', 'http://evil.example'));
    assert.deepEqual(warnings(), [
      'refused signaling connections from origin http://localhost:3000 on /parley; to allow it, add it to ALLOWED_ORIGINS',
      'refused signaling connections from origin http://evil.example on /parley; to allow it, add it to ALLOWED_ORIGINS',
    ]);
  });

  test('ALLOWED_ORIGINS lets the listed origin open /parley and leaves the seed namespace open', async () => {
    const { url } = await start({ allowedOrigins: ['https://app.example'] });
    await connectFrom(url, '/parley', 'https://app.example');
    await assert.rejects(connectFrom(url, '/parley', url));
    await connectFrom(url, '/', 'http://anything.example', ['polling']);
  });

  test('SEED_ALLOWED_ORIGINS restricts the seed namespace, with the option named', async () => {
    const { url, warnings } = await start({ seedAllowedOrigins: ['http://seed.example'] });
    await connectFrom(url, '/', 'http://seed.example');
    await assert.rejects(connectFrom(url, '/', 'http://other.example'), (err: OriginError) => {
      assert.match(err.message, /SEED_ALLOWED_ORIGINS/);
      assert.equal(err.data?.option, 'SEED_ALLOWED_ORIGINS');
      return true;
    });
    assert.equal(warnings().length, 1);
    assert.match(warnings()[0] ?? '', /SEED_ALLOWED_ORIGINS/);
  });

  test('a refused origin can read the reason over long-polling too (CORS answers every page)', async () => {
    const { url } = await start();
    const res = await fetch(`${url}/socket.io/?EIO=4&transport=polling`, {
      headers: { origin: 'http://localhost:3000' },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), 'http://localhost:3000');
    assert.equal(res.headers.get('access-control-allow-credentials'), null, 'never with credentials');
  });
});
