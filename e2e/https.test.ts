import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newParticipant } from './support/browser';
import { joinThroughUi, waitForRemoteVideos } from './support/call';
import { useServerAndChromium } from './support/fixture';

// --https without a certificate: Parley generates a self-signed one at start-up.
const fx = useServerAndChromium({ server: { args: ['--https'] }, chromiumArgs: ['--ignore-certificate-errors'] });

test('a call over HTTPS with the generated self-signed certificate', async () => {
  assert.match(fx.server.url, /^https:\/\//);
  const alice = await newParticipant(fx.browser, fx.server.url);
  const bob = await newParticipant(fx.browser, fx.server.url);
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
