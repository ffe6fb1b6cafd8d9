import type { Page } from 'playwright-core';

/** Open the chat panel (if closed) on `page`. */
export async function openChat(page: Page): Promise<void> {
  const button = page.getByRole('button', { name: /^Chat/ });
  if ((await button.getAttribute('aria-pressed')) !== 'true') await button.click();
  await page.getByRole('textbox', { name: 'Message' }).waitFor();
}

/** Open the files panel (if closed) on `page`. */
export async function openFiles(page: Page): Promise<void> {
  const button = page.getByRole('button', { name: /^Files/ });
  if ((await button.getAttribute('aria-pressed')) !== 'true') await button.click();
  await page.getByLabel('File to send').waitFor({ state: 'attached' });
}

/** Type a chat message and press Enter. */
export async function sendChat(page: Page, text: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill(text);
  await box.press('Enter');
}

/** The chat texts the page shows, in order. */
export function chatTexts(page: Page): Promise<string[]> {
  return page.locator('[data-testid="chat-messages"] .chat-text').allTextContents();
}

/** Wait until the page shows `text` in the chat, and return how often it shows. */
export async function waitForChat(page: Page, text: string, timeoutMs = 20_000): Promise<number> {
  await page
    .locator('[data-testid="chat-messages"] .chat-text')
    .filter({ hasText: text })
    .first()
    .waitFor({ timeout: timeoutMs });
  return (await chatTexts(page)).filter((t) => t === text).length;
}

/** Choose the item `name` of the call's More menu (the secondary actions live there). */
export async function chooseMore(page: Page, name: string): Promise<void> {
  const more = page.getByRole('button', { name: 'More options' });
  if ((await more.getAttribute('aria-expanded')) !== 'true') await more.click();
  await page.getByRole('menuitem', { name, exact: true }).click();
}
