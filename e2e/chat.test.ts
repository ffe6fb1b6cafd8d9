import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newParticipant } from './support/browser';
import { joinThroughUi, waitForRemoteVideos } from './support/call';
import { chatTexts, openChat, sendChat, waitForChat } from './support/features';
import { useServerAndChromium } from './support/fixture';

const fx = useServerAndChromium();

test('chat: once each, history for a late joiner, text never HTML, private, exactly once across a server restart', async () => {
  const a = await newParticipant(fx.browser, fx.server.url);
  const b = await newParticipant(fx.browser, fx.server.url);
  const c = await newParticipant(fx.browser, fx.server.url);
  const dialogs: string[] = [];
  for (const p of [a, b, c]) p.page.on('dialog', (d) => void d.dismiss().then(() => dialogs.push(d.message())));
  try {
    await joinThroughUi(a.page, 'Alice', 'e2e-chat');
    await joinThroughUi(b.page, 'Bob', 'e2e-chat');
    await Promise.all([waitForRemoteVideos(a.page, 1), waitForRemoteVideos(b.page, 1)]);

    // A message from Alice reaches Bob once; with his panel closed he sees an unread badge.
    await openChat(a.page);
    await sendChat(a.page, 'Hello from Alice');
    await b.page.getByTestId('unread-badge').filter({ hasText: '1' }).waitFor({ timeout: 10_000 });
    await openChat(b.page);
    assert.equal(await waitForChat(b.page, 'Hello from Alice'), 1);
    await a.page.locator('.chat-message[data-status="sent"]').first().waitFor();

    // Markup is shown as text; a URL becomes a safe link.
    const html = '<img src=x onerror=alert(1)>';
    await sendChat(a.page, html);
    await sendChat(a.page, 'notes at https://example.org/notes');
    assert.equal(await waitForChat(b.page, html), 1);
    assert.equal(await b.page.locator('[data-testid="chat-messages"] img').count(), 0, 'no <img> element was made');
    const link = b.page.locator('[data-testid="chat-messages"] a', { hasText: 'https://example.org/notes' });
    await link.waitFor({ timeout: 10_000 });
    assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');

    // Shift+Enter makes a new line instead of sending.
    const box = b.page.getByRole('textbox', { name: 'Message' });
    await box.fill('line one');
    await box.press('Shift+Enter');
    await box.pressSequentially('line two');
    await box.press('Enter');
    assert.equal(await waitForChat(a.page, 'line one\nline two'), 1);

    // Carol joins late and sees the earlier messages, in order.
    await joinThroughUi(c.page, 'Carol', 'e2e-chat');
    await waitForRemoteVideos(c.page, 2);
    await openChat(c.page);
    await waitForChat(c.page, 'line one\nline two');
    assert.deepEqual(await chatTexts(c.page), [
      'Hello from Alice',
      html,
      'notes at https://example.org/notes',
      'line one\nline two',
    ]);

    // A private message from Bob to Carol: Carol sees it, Alice does not.
    await b.page.getByLabel('To').selectOption({ label: 'Carol (private)' });
    await sendChat(b.page, 'just for Carol');
    await waitForChat(c.page, 'just for Carol');
    await b.page.getByLabel('To').selectOption({ label: 'Everyone' });

    // The server goes down; Alice sends while it is away; it arrives exactly once after the restart.
    await fx.server.kill();
    await a.page.getByText('Connection to the server lost').waitFor({ timeout: 20_000 });
    await sendChat(a.page, 'sent during the restart');
    await a.page.locator('.chat-message[data-status="sending"]').waitFor();
    await fx.restartServer();
    assert.equal(await waitForChat(b.page, 'sent during the restart', 30_000), 1);
    assert.equal(await waitForChat(c.page, 'sent during the restart', 30_000), 1);
    await a.page.locator('.chat-message[data-status="sending"]').waitFor({ state: 'detached', timeout: 10_000 });
    await a.page.waitForTimeout(1_500);
    for (const p of [a.page, b.page, c.page]) {
      const texts = await chatTexts(p);
      assert.equal(texts.filter((t) => t === 'sent during the restart').length, 1, 'exactly once');
      assert.equal(texts.filter((t) => t === 'Hello from Alice').length, 1, 'history is not doubled');
    }
    assert.equal((await chatTexts(a.page)).includes('just for Carol'), false, 'private stays private');

    // Too long a message is refused with a sentence.
    await a.page.getByRole('textbox', { name: 'Message' }).fill('x'.repeat(2_001));
    await a.page.getByRole('textbox', { name: 'Message' }).press('Enter');
    await a.page.getByRole('alert').filter({ hasText: 'Messages are at most 2000 characters' }).waitFor();
    assert.deepEqual(dialogs, [], 'no script ran from a message');
  } finally {
    await Promise.all([a.context.close(), b.context.close(), c.context.close()]);
  }
});
