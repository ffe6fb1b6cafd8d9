import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import * as stockParser from 'socket.io-parser';
import type { Socket } from 'socket.io-client';
import type { ParleyServer } from '../src/ParleyServer';
import { PAYLOAD_DEPTH_MAX, PAYLOAD_ITEMS_MAX } from '../src/transport/boundedParser';
import { closeAllSockets, collect, connect, join, next, sleep, startTestServer } from './support';

let server: ParleyServer;
let url: string;
const lines: string[] = [];

before(async () => {
  const log = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
  ({ server, url } = await startTestServer({}, log));
});
after(async () => {
  closeAllSockets();
  await server.close();
});

/** Write a Socket.IO packet's text (or a binary attachment) straight onto the connection. */
function raw(socket: Socket, packet: string | Buffer): void {
  (socket.io.engine as unknown as { write(d: string | Buffer): void }).write(packet);
}

const deepArray = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels);

/** Resolve with the time (ms) until the server closes `socket`, and the protocol-error it was told. */
function closedBy(socket: Socket, ms = 5_000): Promise<{ ms: number; error: { message: string } | undefined }> {
  const t0 = performance.now();
  let error: { message: string } | undefined;
  socket.on('protocol-error', (e: { message: string }) => (error = e));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the server did not close the connection')), ms);
    socket.once('disconnect', () => {
      clearTimeout(timer);
      resolve({ ms: performance.now() - t0, error });
    });
  });
}

/** Two seed clients in `room`; resolves once both joined. */
async function seedPair(room: string): Promise<[Socket, Socket]> {
  const [a, b] = await Promise.all([connect(url, '/'), connect(url, '/')]);
  for (const [s, n] of [
    [a, 'a'],
    [b, 'b'],
  ] as const)
    assert.deepEqual(await s.timeout(2_000).emitWithAck('join', { username: n, room }), { ok: true });
  return [a, b];
}

const offer = { type: 'offer', sdp: 'v=0\r\n' };

describe('every inbound frame is bounded before it is parsed or relayed', () => {
  test('a seed `data` frame nested 100,000 levels deep closes its connection and nothing else', async () => {
    const [a, b] = await seedPair('deep-seed');
    const closed = closedBy(a);
    raw(a, `2["data",{"username":"a","room":"deep-seed","data":{"type":"offer","sdp":"v","x":${deepArray(100_000)}}}]`);
    const { ms, error } = await closed;
    console.log(`a 100,000-level frame was refused ${ms.toFixed(1)} ms after it was written`);
    assert.match(error?.message ?? '', new RegExp(`deeper than ${PAYLOAD_DEPTH_MAX} levels`));
    // The server and the other client are fine.
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    const c = await connect(url, '/');
    assert.deepEqual(await c.timeout(2_000).emitWithAck('join', { username: 'c', room: 'deep-seed' }), { ok: true });
    const got = next(b, 'data');
    c.emit('data', { username: 'c', room: 'deep-seed', data: offer });
    assert.deepEqual(await got, offer);
  });

  test('the same frame on /parley, as an event and as an acknowledgement, closes the connection', async () => {
    for (const packet of [
      `2/parley,["join",{"room":"r","name":"n","x":${deepArray(100_000)}}]`,
      `3/parley,7[${deepArray(100_000)}]`,
    ]) {
      const s = await connect(url);
      const closed = closedBy(s);
      raw(s, packet);
      assert.match((await closed).error?.message ?? '', /deeper than/);
    }
    const [a, b] = await Promise.all([connect(url), connect(url)]);
    await join(a, { room: 'after-deep', name: 'A' });
    assert.equal((await join(b, { room: 'after-deep', name: 'B' })).participants.length, 1);
  });

  test('binary frames: a deep placeholder packet, too many attachments or too many bytes close the connection', async () => {
    const cases: Array<Array<string | Buffer>> = [
      // The JSON part of a binary event is scanned before its attachments are awaited.
      [`51-["data",{"_placeholder":true,"num":0},${deepArray(100_000)}]`, Buffer.from([1])],
      ['53-["data",{"_placeholder":true,"num":0}]', Buffer.from([1]), Buffer.from([2]), Buffer.from([3])],
      [
        '52-["data",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]',
        Buffer.alloc(200 * 1024),
        Buffer.alloc(200 * 1024),
      ],
      // Binary when no binary packet is being reconstructed.
      [Buffer.from([1, 2, 3])],
    ];
    for (const namespace of ['/', '/parley']) {
      for (const frames of cases) {
        const s = await connect(url, namespace);
        const closed = closedBy(s);
        const prefix = namespace === '/' ? '' : '/parley,';
        for (const f of frames) raw(s, typeof f === 'string' ? f.replace(/^(\d+-)/, `$1${prefix}`) : f);
        await closed;
      }
    }
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
  });

  test('a wide frame (more values than the bound) closes the connection; a legitimate one passes', async () => {
    const s = await connect(url, '/');
    const closed = closedBy(s);
    raw(s, `2["join",{"username":"w","room":"wide","x":[${new Array(PAYLOAD_ITEMS_MAX + 1).fill(0).join(',')}]}]`);
    assert.match((await closed).error?.message ?? '', /more than 4096 values/);
    const [a, b] = await seedPair('fine');
    const data = { ...offer, note: { a: { b: { c: [1, 2, 3] } } } };
    const got = next(b, 'data');
    a.emit('data', { username: 'a', room: 'fine', data });
    assert.deepEqual(await got, data);
  });

  test('each refusal is logged with the address and the reason', () => {
    const refused = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => /payload bounds/.test(String(l.msg)));
    assert.ok(refused.length >= 3);
    assert.ok(refused.every((l) => l.address === '127.0.0.1' && typeof l.reason === 'string'));
  });
});

describe('a handler that throws does not end the process', () => {
  test('with the stock parser (no bounds), a deep relayed seed frame overflows in the handler and only that event fails', async () => {
    // Take the bounds away for the connections made from here on: the handler must survive
    // the stack overflow on its own (defence in depth).
    const io = server.io as unknown as { _parser: unknown };
    const bounded = io._parser;
    io._parser = stockParser;
    try {
      const [a, b] = await seedPair('throwing');
      const atB = collect(b, 'data');
      raw(a, `2["data",{"username":"a","room":"throwing","data":{"type":"offer","sdp":"v","x":${deepArray(30_000)}}}]`);
      await sleep(300);
      assert.equal(atB.length, 0);
      assert.ok(
        lines.some((l) => /handler failed/.test(l) && /seed data/.test(l)),
        'the failure is logged',
      );
      // Still serving, on the same connections.
      const got = next(b, 'data');
      a.emit('data', { username: 'a', room: 'throwing', data: offer });
      assert.deepEqual(await got, offer);
    } finally {
      io._parser = bounded;
    }
  });
});
