import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
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

/** A UDP port on 127.0.0.1 that nothing listens on. */
async function closedUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  s.bind(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address();
  s.close();
  return port;
}

/** Open /check and wait for the verdict; returns each check's status and the verdict text. */
async function connectionCheck(server: RunningServer): Promise<{ statuses: Record<string, string>; verdict: string }> {
  const { context, page } = await newParticipant(browser, server.url);
  try {
    await page.goto('/check');
    const verdict = page.getByRole('status');
    await page.getByRole('button', { name: 'Check again' }).and(page.locator(':enabled')).waitFor({ timeout: 30_000 });
    const statuses = await page
      .locator('[data-check]')
      .evaluateAll((els) =>
        Object.fromEntries(els.map((e) => [e.getAttribute('data-check'), e.getAttribute('data-status')])),
      );
    return { statuses: statuses as Record<string, string>, verdict: (await verdict.textContent()) ?? '' };
  } finally {
    await context.close();
  }
}

test('/check finds camera, microphone, server, STUN and TURN over UDP and TCP', async () => {
  const server = await startServer({
    env: {
      STUN_URLS: `stun:127.0.0.1:${turn.port}`,
      TURN_URLS: `${turn.url('udp')},${turn.url('tcp')}`,
      TURN_SECRET: turn.secret,
    },
  });
  servers.push(server);
  const { statuses, verdict } = await connectionCheck(server);
  assert.deepEqual(statuses, {
    camera: 'ok',
    microphone: 'ok',
    signaling: 'ok',
    stun: 'ok',
    'turn-udp': 'ok',
    'turn-tcp': 'ok',
    'turn-tls': 'skipped',
  });
  assert.equal(verdict, 'Calls should work from here.');
});

test('/check reports a relay that refuses the credentials', async () => {
  const server = await startServer({
    env: {
      STUN_URLS: `stun:127.0.0.1:${await closedUdpPort()}`,
      TURN_URLS: `${turn.url('udp')},${turn.url('tcp')}`,
      TURN_SECRET: 'not-the-relay-secret',
    },
  });
  servers.push(server);
  const { statuses, verdict } = await connectionCheck(server);
  assert.equal(statuses.signaling, 'ok');
  assert.equal(statuses.stun, 'failed', 'nobody answers STUN on that port');
  assert.equal(statuses['turn-udp'], 'failed');
  assert.equal(statuses['turn-tcp'], 'failed');
  assert.match(verdict, /relay server cannot be reached/);
});
