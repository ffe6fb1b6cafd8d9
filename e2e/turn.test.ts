import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium, newParticipant } from './support/browser';
import { waitForRemoteVideos } from './support/call';
import { startServer, type RunningServer } from './support/server';
import { selectedPairs, startTurn, type RunningTurn } from './support/turn';

let turn: RunningTurn;
let browser: Browser;
const servers: RunningServer[] = [];

before(async () => {
  turn = await startTurn();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  for (const s of servers) await s.kill('SIGTERM');
  await turn?.stop();
});

async function parleyWithTurn(transport: 'udp' | 'tcp'): Promise<RunningServer> {
  const server = await startServer({
    env: { TURN_URLS: turn.url(transport), TURN_SECRET: turn.secret, TURN_TTL: '600' },
  });
  servers.push(server);
  return server;
}

/** Two people open the same call link with ?relay=1; media must flow through coturn. */
async function relayOnlyCall(server: RunningServer, room: string, transport: 'udp' | 'tcp'): Promise<void> {
  const alice = await newParticipant(browser, server.url);
  const bob = await newParticipant(browser, server.url);
  try {
    await alice.page.goto(`/call/Alice/${room}?relay=1`);
    await bob.page.goto(`/call/Bob/${room}?relay=1`);
    const [atAlice, atBob] = await Promise.all([waitForRemoteVideos(alice.page, 1), waitForRemoteVideos(bob.page, 1)]);
    assert.equal(atAlice[0]?.name, 'Bob');
    assert.equal(atBob[0]?.name, 'Alice');
    for (const [who, page] of [
      ['Alice', alice.page],
      ['Bob', bob.page],
    ] as const) {
      const pairs = await selectedPairs(page);
      assert.equal(pairs.length, 1, `${who} has one selected pair: ${JSON.stringify(pairs)}`);
      const [pair] = pairs;
      assert.equal(pair?.local.candidateType, 'relay', `${who}'s local candidate is a relay: ${JSON.stringify(pair)}`);
      assert.equal(pair?.remote.candidateType, 'relay', `${who}'s remote candidate is a relay`);
      assert.equal(pair?.local.relayProtocol, transport, `${who} reaches coturn over ${transport}`);
      assert.equal(pair?.local.address, '127.0.0.1');
    }
  } finally {
    await alice.context.close();
    await bob.context.close();
  }
}

test('relay-only call (?relay=1) connects through coturn over UDP', async () => {
  await relayOnlyCall(await parleyWithTurn('udp'), 'relay-udp', 'udp');
});

test('relay-only call connects through coturn over TCP', async () => {
  await relayOnlyCall(await parleyWithTurn('tcp'), 'relay-tcp', 'tcp');
});
