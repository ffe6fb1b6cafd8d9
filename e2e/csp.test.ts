import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newParticipant } from './support/browser';
import { useServerAndChromium } from './support/fixture';
import { playwrightParticipant, puppeteerParticipant, type Participant } from './support/participant';
import { joinCall, waitForDecodingFrom, waitForTexts, waitUntil } from './support/participantCall';

/**
 * The app runs under a strict Content-Security-Policy (no eval, no inline script). A library
 * that merely probes for eval inside a try/catch is blocked silently but still makes the
 * browser report a violation (Firefox shows it in the console of every call page). Each page
 * records `securitypolicyviolation` events from its first script on.
 */
function recordViolations(): void {
  const seen: string[] = [];
  (window as unknown as { __csp: string[] }).__csp = seen;
  document.addEventListener('securitypolicyviolation', (e) => {
    seen.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`);
  });
}

const fx = useServerAndChromium({ firefox: true });

async function chromiumPage(): Promise<Participant> {
  const { context, page } = await newParticipant(fx.browser, fx.server.url);
  await page.addInitScript(recordViolations);
  return playwrightParticipant(context, page);
}

async function firefoxPage(): Promise<Participant> {
  const context = await fx.firefox.createBrowserContext();
  const page = await context.newPage();
  await page.evaluateOnNewDocument(recordViolations);
  return puppeteerParticipant(context, page, fx.server.url);
}

const violations = (p: Participant): Promise<string[]> =>
  p.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? ['(the recorder did not run)']);

test('no Content-Security-Policy violation on the call page, in Chromium and Firefox, with blur on', async () => {
  const [ada, fox] = await Promise.all([chromiumPage(), firefoxPage()]);
  try {
    await joinCall(ada, 'Ada', 'csp-check');
    await joinCall(fox, 'Fox', 'csp-check');
    await Promise.all([waitForDecodingFrom(ada, ['Fox']), waitForDecodingFrom(fox, ['Ada'])]);
    // The background effect compiles its WebAssembly model under the same policy (Chromium).
    await ada.chooseMore('Devices');
    await ada.clickButton('Background: Blur');
    await waitUntil(
      ada,
      'the blurred camera to be sent',
      () => {
        const w = window as unknown as {
          __parleyBackground?: { track: MediaStreamTrack; stats(): { framesOut: number } };
          __parleyCall?: { localTracks: MediaStreamTrack[] };
        };
        const bg = w.__parleyBackground;
        return (
          bg !== undefined &&
          bg.stats().framesOut > 10 &&
          w.__parleyCall?.localTracks.some((t) => t === bg.track) === true
        );
      },
      undefined,
      30_000,
    );
    // Messages parsed on both sides: signaling (joined above), chat, and its history.
    await ada.clickButton('Chat');
    await fox.clickButton('Chat');
    await ada.fillByLabel('Message', 'policy check');
    await ada.clickButton('Send');
    await waitForTexts(fox, '[data-testid="chat-messages"]', ['policy check']);
    await ada.clickButton('Files');
    // Violation events are dispatched asynchronously: give the last ones a moment.
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(
      { chromium: await violations(ada), firefox: await violations(fox) },
      { chromium: [], firefox: [] },
    );
  } finally {
    await Promise.allSettled([ada.close(), fox.close()]);
  }
});
