import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { newParticipant } from './support/browser';
import { joinThroughUi, waitForRemoteVideos } from './support/call';
import { useServerAndChromium } from './support/fixture';
import { ROOT, startServer } from './support/server';

const fx = useServerAndChromium();
/** Content-Security-Policy violations reported by any page in this file (there must be none). */
const cspViolations: string[] = [];

async function participant(): Promise<{ page: Page; close: () => Promise<void> }> {
  const { context, page } = await newParticipant(fx.browser, fx.server.url);
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) cspViolations.push(msg.text());
  });
  return { page, close: () => context.close() };
}

/** The room-wide host controls are in the header of the People panel. */
async function openHostControls(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'People', exact: true }).click();
  await page.getByRole('button', { name: 'Host controls' }).click();
}

test('/ and /call/... carry the CSP and the other security headers', async () => {
  for (const path of ['/', '/call/Ada/headers-room', '/r/headers-room']) {
    const res = await fetch(fx.server.url + path, { headers: { accept: 'text/html' } });
    assert.equal(res.status, 200, path);
    const csp = res.headers.get('content-security-policy') ?? '';
    // WebAssembly may be compiled (RNNoise, the background model); JavaScript may not be eval'ed.
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'(;|$)/, `${path}: scripts from this origin only`);
    assert.doesNotMatch(csp, /unsafe-inline|'unsafe-eval'/, `${path}: no inline script or eval`);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /connect-src 'self'/);
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    const pp = res.headers.get('permissions-policy') ?? '';
    for (const feature of ['camera=(self)', 'microphone=(self)', 'display-capture=(self)']) {
      assert.ok(pp.includes(feature), `${path}: Permissions-Policy has ${feature}`);
    }
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    const html = await res.text();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, `${path}: no inline <script>`);
  }
});

test('a room with a password: a wrong password is refused with a message, the right one gets in', async () => {
  const alice = await participant();
  const bob = await participant();
  try {
    await joinThroughUi(alice.page, 'Alice', 'e2e-password');
    await alice.page.getByText('Host: you').waitFor();
    await openHostControls(alice.page);
    await alice.page.getByLabel('Room password').fill('open sesame');
    await alice.page.getByRole('button', { name: 'Set password' }).click();
    await alice.page.getByText('Password', { exact: true }).waitFor();

    await joinThroughUi(bob.page, 'Bob', 'e2e-password');
    await bob.page.getByText('This room has a password.').waitFor();
    await bob.page.getByLabel('Password', { exact: true }).fill('open sesam');
    await bob.page.getByRole('button', { name: 'Enter' }).click();
    await bob.page.getByRole('alert').getByText('That password is not right.').waitFor();
    assert.equal(await alice.page.locator('[data-testid="remote-tile"]').count(), 0, 'Bob is not in the call');

    await bob.page.getByLabel('Password', { exact: true }).fill('open sesame');
    await bob.page.getByRole('button', { name: 'Enter' }).click();
    const [atAlice, atBob] = await Promise.all([waitForRemoteVideos(alice.page, 1), waitForRemoteVideos(bob.page, 1)]);
    assert.equal(atAlice[0]?.name, 'Bob');
    assert.equal(atBob[0]?.name, 'Alice');
    await bob.page.getByText('Host: Alice').waitFor();
  } finally {
    await alice.close();
    await bob.close();
  }
});

test('lobby: the host admits one guest and denies another from the call screen; ask to mute and remove', async () => {
  const alice = await participant();
  const bob = await participant();
  const carol = await participant();
  try {
    await joinThroughUi(alice.page, 'Alice', 'e2e-lobby');
    await openHostControls(alice.page);
    await alice.page.getByRole('button', { name: 'Turn lobby on' }).click();
    await alice.page.getByText('Lobby', { exact: true }).waitFor();

    await joinThroughUi(bob.page, 'Bob', 'e2e-lobby');
    await bob.page.getByText('Waiting for the host to let you in').waitFor();
    await alice.page.getByRole('button', { name: 'Admit Bob' }).click();
    await Promise.all([waitForRemoteVideos(alice.page, 1), waitForRemoteVideos(bob.page, 1)]);

    await joinThroughUi(carol.page, 'Carol', 'e2e-lobby');
    await carol.page.getByText('Waiting for the host to let you in').waitFor();
    await alice.page.getByRole('button', { name: 'Deny Carol' }).click();
    await carol.page.getByText('The host did not let you in.').waitFor();
    assert.equal(await alice.page.locator('[data-testid="remote-tile"]').count(), 1, 'only Bob got in');
    assert.equal(await alice.page.getByTestId('lobby-entry').count(), 0, 'the waiting list is empty again');

    // Ask Bob to mute: his microphone turns off, and only he can turn it back on.
    await alice.page.getByRole('button', { name: 'Ask Bob to mute' }).click();
    await bob.page.getByText('The host muted your microphone.').waitFor();
    await bob.page.getByRole('button', { name: 'Unmute' }).waitFor();
    await alice.page.locator('[data-testid="remote-tile"] [aria-label="microphone off"]').waitFor();
    await bob.page.getByRole('button', { name: 'Unmute' }).click();
    await alice.page
      .locator('[data-testid="remote-tile"] [aria-label="microphone off"]')
      .waitFor({ state: 'detached', timeout: 5_000 });

    // Remove Bob: he is told why and for how long, and his tile leaves Alice's screen.
    await alice.page.getByRole('button', { name: 'Remove Bob' }).click();
    await bob.page.getByText('The host removed you from the call. You can rejoin in 10 minutes.').waitFor();
    await alice.page.locator('[data-testid="remote-tile"]').waitFor({ state: 'detached', timeout: 5_000 });
  } finally {
    await alice.close();
    await bob.close();
    await carol.close();
  }
  assert.deepEqual(cspViolations, [], 'the app runs under its CSP without violations');
});

test('lobby: the host refuses everyone waiting with one click; the waiting list empties and each waiter is told', async () => {
  const alice = await participant();
  const waiters = [await participant(), await participant()];
  try {
    await joinThroughUi(alice.page, 'Alice', 'e2e-lobby-clear');
    await openHostControls(alice.page);
    await alice.page.getByRole('button', { name: 'Turn lobby on' }).click();
    await alice.page.getByText('Lobby', { exact: true }).waitFor();
    for (const [i, w] of waiters.entries()) {
      await joinThroughUi(w.page, `Waiter ${i}`, 'e2e-lobby-clear');
      await w.page.getByText('Waiting for the host to let you in').waitFor();
    }
    const list = alice.page.getByRole('region', { name: 'Waiting to join' });
    await list.getByTestId('lobby-entry').nth(1).waitFor();
    assert.equal(await list.getByTestId('lobby-entry').count(), 2);

    await list.getByRole('button', { name: 'Refuse everyone waiting' }).click();
    await alice.page.getByTestId('lobby-entry').first().waitFor({ state: 'detached', timeout: 5_000 });
    assert.equal(await alice.page.getByTestId('lobby-entry').count(), 0, 'the waiting list is empty');
    for (const w of waiters) await w.page.getByText('The host did not let you in.').waitFor();
    assert.equal(await alice.page.locator('[data-testid="remote-tile"]').count(), 0, 'nobody got in');
  } finally {
    await alice.close();
    for (const w of waiters) await w.close();
  }
});

test('invitation-only server: a link minted by `parley invite` gets in, a plain link is refused with a message', async () => {
  const secret = 'e2e-access-secret-'.repeat(3);
  const invServer = await startServer({ env: { ACCESS_SECRET: secret } });
  const { context, page } = await newParticipant(fx.browser, invServer.url);
  const stranger = await newParticipant(fx.browser, invServer.url);
  try {
    const link = execFileSync(
      process.execPath,
      ['server/dist/cli.js', 'invite', '--room', 'e2e-invite', '--role', 'host', '--base-url', invServer.url],
      { cwd: ROOT, env: { ...process.env, ACCESS_SECRET: secret }, encoding: 'utf8' },
    ).trim();
    assert.match(link, /\/r\/e2e-invite#token=[\w-]+\.[\w-]+\.[\w-]+$/);
    await page.goto(link);
    await page.getByLabel('Username').fill('Ada');
    await page.getByRole('button', { name: 'Join' }).click();
    await page.getByText('Host: you').waitFor();

    await joinThroughUi(stranger.page, 'Eve', 'e2e-invite');
    await stranger.page.getByText('This server needs an invitation link to join.').waitFor();
    assert.ok(!invServer.output.join('').includes(secret), 'the secret is not in the server output');
  } finally {
    await context.close();
    await stranger.context.close();
    await invServer.kill('SIGTERM');
  }
});
