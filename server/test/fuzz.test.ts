import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { FRAME_MAX_BYTES } from '@parley/protocol';
import { fuzz, fuzzTable } from '../../e2e/support/fuzzer';
import type { ParleyServer } from '../src/ParleyServer';
import { closeAllSockets, connect, join, sleep, startTestServer } from './support';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let server: ParleyServer;
let url: string;

before(async () => {
  ({ server, url } = await startTestServer({
    rateMessagesPerSecond: 2_000,
    rateMessagesBurst: 500,
    rateDisconnectAfter: 100,
    rateConnectionsPerMinute: 200,
    rateJoinsPerMinute: 0,
  }));
});
after(() => server.close());

async function settledHeap(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await sleep(100);
  }
  return process.memoryUsage().heapUsed;
}

test('10,000+ random, malformed, oversized and out-of-order events and floods leave the server serving, with its state and memory back', async () => {
  // Warm up (JIT, Socket.IO internals), then measure the baseline.
  const warm = await connect(url);
  await join(warm, { room: 'warm-up', name: 'W' });
  closeAllSockets();
  await sleep(200);
  const baseline = await settledHeap();

  const report = await fuzz(url, {
    events: 10_000,
    sockets: 6,
    frameMax: FRAME_MAX_BYTES,
    floodSize: 1_500,
    connectionFloodSize: 230,
  });
  console.log(`\n${fuzzTable(report)}`);
  assert.ok(report.total >= 10_000);
  const c = report.counts;
  assert.ok(
    c['wrong-type'].refused === c['wrong-type'].sent - c['wrong-type'].cutOff,
    'every wrong-typed event refused',
  );
  assert.equal(c['unknown-event'].accepted, 0);
  assert.equal(c['deep-object'].accepted, 0);
  assert.equal(c['binary'].accepted, 0);
  assert.equal(c['huge-string'].accepted, 0);
  assert.ok(
    c['oversized-frame'].cutOff > 0 && c['oversized-frame'].accepted === 0,
    'oversized frames close the connection',
  );
  assert.ok(c['message-flood'].refused > 0 && c['message-flood'].cutOff === 3, 'floods are told, then disconnected');
  assert.ok(c['connection-flood'].refused >= 30, 'connections over the per-address limit are refused');
  assert.ok(c['out-of-order'].accepted > 0 && c['out-of-order'].refused > 0);

  // Still serving: HTTP and a fresh two-party exchange.
  assert.equal((await fetch(`${url}/healthz`)).status, 200);
  const [a, b] = await Promise.all([connect(url), connect(url)]);
  await join(a, { room: 'after-fuzz', name: 'A' });
  const jb = await join(b, { room: 'after-fuzz', name: 'B' });
  assert.equal(jb.participants.length, 1);
  closeAllSockets();

  // Nothing left behind: no rooms, no connections, and the heap back near where it started.
  const deadline = Date.now() + 5_000;
  while ((server.rooms.roomCount > 0 || server.io.engine.clientsCount > 0) && Date.now() < deadline) await sleep(50);
  assert.equal(server.rooms.roomCount, 0, 'no rooms left');
  assert.equal(server.rooms.participantCount, 0);
  assert.equal(server.io.engine.clientsCount, 0, 'no connections left');
  const afterHeap = await settledHeap();
  const growthMb = (afterHeap - baseline) / 1024 / 1024;
  console.log(
    `heap: baseline ${(baseline / 1048576).toFixed(1)} MB, after ${(afterHeap / 1048576).toFixed(1)} MB (${growthMb >= 0 ? '+' : ''}${growthMb.toFixed(1)} MB)`,
  );
  assert.ok(growthMb < 16, `heap grew by ${growthMb.toFixed(1)} MB`);
});
