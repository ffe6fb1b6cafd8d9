import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { FRAME_MAX_BYTES } from '@parley/protocol';
import type { Browser } from 'playwright-core';
import { launchChromium, newParticipant } from './support/browser';
import { joinThroughUi, waitForRemoteVideos } from './support/call';
import { fuzz, fuzzTable } from './support/fuzzer';
import { startServer, type RunningServer } from './support/server';

let server: RunningServer;
let browser: Browser;

before(async () => {
  // Limits high enough that the random phase reaches validation; the floods go over them.
  server = await startServer({
    env: {
      RATE_MESSAGES_PER_SECOND: '2000',
      RATE_MESSAGES_BURST: '500',
      RATE_CONNECTIONS_PER_MINUTE: '200',
      RATE_ADDRESS_CONNECTIONS_PER_MINUTE: '200',
      RATE_JOINS_PER_MINUTE: '0',
      RATE_STRIKES_PER_MINUTE: '0',
      RATE_ADDRESS_STRIKES_PER_MINUTE: '0',
      // The memory settings of docs/OPERATIONS.md (Memory), as in server/test/fuzz.test.ts.
      NODE_OPTIONS: '--max-semi-space-size=2',
      MALLOC_ARENA_MAX: '2',
      MALLOC_MMAP_THRESHOLD_: '131072',
    },
  });
});

after(async () => {
  await browser?.close();
  await server?.kill('SIGTERM');
});

/** Resident memory of the server process, in MB. */
function serverRssMb(): number {
  const status = readFileSync(`/proc/${server.proc.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

// The 100,000-event run with its memory figure is server/test/fuzz.test.ts; this one proves,
// quickly, that the built server survives the same hostile frames and still carries a call.
test('after 20,000 hostile events on both namespaces (frames nested 100,000 deep, wide, binary, raw) the built server still serves a real two-browser call', async () => {
  await fetch(`${server.url}/healthz`);
  const baseline = serverRssMb();
  const report = await fuzz(server.url, {
    events: 20_000,
    sockets: 3,
    frameMax: FRAME_MAX_BYTES,
    floodSize: 1_500,
    connectionFloodSize: 230,
    deepMax: 100_000,
  });
  console.log(`\n${fuzzTable(report)}`);
  assert.ok(report.total >= 20_000);
  assert.equal(server.proc.exitCode, null, 'the server process is still running');
  assert.ok(report.counts['deep-frame'].sent > 0 && report.counts['deep-frame'].accepted === 0);
  assert.equal(report.counts['message-flood'].cutOff, report.floodSockets, 'every flooding connection was closed');
  assert.ok(report.counts['connection-flood'].refused >= 30);
  const afterMb = serverRssMb();
  console.log(`server RSS: ${baseline.toFixed(0)} MB before, ${afterMb.toFixed(0)} MB after the fuzz`);
  assert.ok(afterMb < baseline + 200, `server memory stays bounded (${afterMb.toFixed(0)} MB)`);

  browser = await launchChromium();
  const alice = await newParticipant(browser, server.url);
  const bob = await newParticipant(browser, server.url);
  try {
    await joinThroughUi(alice.page, 'Alice', 'after-fuzz');
    await joinThroughUi(bob.page, 'Bob', 'after-fuzz');
    const [atAlice, atBob] = await Promise.all([waitForRemoteVideos(alice.page, 1), waitForRemoteVideos(bob.page, 1)]);
    assert.equal(atAlice[0]?.name, 'Bob');
    assert.equal(atBob[0]?.name, 'Alice');
  } finally {
    await alice.context.close();
    await bob.context.close();
  }
});
