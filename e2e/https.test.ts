import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium, newParticipant } from './support/browser';
import { joinThroughUi, waitForRemoteVideos } from './support/call';
import { startServer, type RunningServer } from './support/server';

let server: RunningServer;
let browser: Browser;

before(async () => {
  // --https without a certificate: Parley generates a self-signed one at start-up.
  server = await startServer({ args: ['--https'] });
  browser = await launchChromium(['--ignore-certificate-errors']);
});

after(async () => {
  await browser?.close();
  await server?.kill('SIGTERM');
});

test('a call over HTTPS with the generated self-signed certificate', async () => {
  assert.match(server.url, /^https:\/\//);
  const alice = await newParticipant(browser, server.url);
  const bob = await newParticipant(browser, server.url);
  try {
    await joinThroughUi(alice.page, 'Alice', 'https-call');
    assert.equal(new URL(alice.page.url()).protocol, 'https:');
    assert.equal(await alice.page.evaluate(() => window.isSecureContext), true);
    await joinThroughUi(bob.page, 'Bob', 'https-call');
    const [atAlice, atBob] = await Promise.all([waitForRemoteVideos(alice.page, 1), waitForRemoteVideos(bob.page, 1)]);
    assert.equal(atAlice[0]?.name, 'Bob');
    assert.equal(atBob[0]?.name, 'Alice');
  } finally {
    await alice.context.close();
    await bob.context.close();
  }
});
