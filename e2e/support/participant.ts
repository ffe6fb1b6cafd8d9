import type {
  Browser as PlaywrightBrowser,
  BrowserContext as PlaywrightContext,
  Page as PlaywrightPage,
} from 'playwright-core';
import type {
  Browser as PuppeteerBrowser,
  BrowserContext as PuppeteerContext,
  ElementHandle,
  Page as PuppeteerPage,
} from 'puppeteer-core';
import { launchChromium, newParticipant as newChromiumParticipant } from './browser';
import { watchFirefox } from './evidence';
import { launchFirefox } from './firefox';

export type BrowserName = 'chromium' | 'firefox';
export const BROWSER_NAMES: readonly BrowserName[] = ['chromium', 'firefox'];

export interface WaitOptions {
  /** 'attached' (default): wait until the selector matches; 'detached': until it matches nothing. */
  state?: 'attached' | 'detached';
  timeoutMs?: number;
}

/**
 * One person in a test, in one browser page with its own storage: the few things the
 * cross-browser tests do, the same way in every browser. Playwright drives Chromium;
 * puppeteer-core drives Firefox over WebDriver BiDi.
 */
export interface Participant {
  readonly browser: BrowserName;
  /** Open a path of the server under test (e.g. `/` or `/r/room`). */
  goto(path: string): Promise<void>;
  /** Replace the value of the form field whose `<label>` text (or aria-label) is `label`. */
  fillByLabel(label: string, value: string): Promise<void>;
  /** Click the enabled button whose accessible name is exactly `name`. */
  clickButton(name: string): Promise<void>;
  /** Open the call's More menu and choose its item named exactly `name`. */
  chooseMore(name: string): Promise<void>;
  /** Run `fn` in the page. It is serialised: it must not use closures or named inner functions. */
  evaluate<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R>;
  waitForSelector(selector: string, opts?: WaitOptions): Promise<void>;
  /** Choose files on the `<input type="file">` that `selector` matches. */
  setInputFiles(selector: string, paths: string[]): Promise<void>;
  /** The page's current URL. */
  url(): string;
  close(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** Wrap a Playwright page (e.g. from `newParticipant` in ./browser) as a Participant. */
export function playwrightParticipant(context: PlaywrightContext, page: PlaywrightPage): Participant {
  return {
    browser: 'chromium',
    async goto(path) {
      await page.goto(path);
    },
    async fillByLabel(label, value) {
      await page.getByLabel(label, { exact: true }).fill(value);
    },
    async clickButton(name) {
      await page.getByRole('button', { name, exact: true }).click();
    },
    async chooseMore(name) {
      const more = page.getByRole('button', { name: 'More options' });
      if ((await more.getAttribute('aria-expanded')) !== 'true') await more.click();
      await page.getByRole('menuitem', { name, exact: true }).click();
    },
    evaluate(fn, arg) {
      return page.evaluate(fn as (a: unknown) => never, arg);
    },
    async waitForSelector(selector, opts = {}) {
      await page
        .locator(selector)
        .first()
        .waitFor({ state: opts.state ?? 'attached', timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS });
    },
    async setInputFiles(selector, paths) {
      await page.locator(selector).setInputFiles(paths);
    },
    url: () => page.url(),
    close: () => context.close(),
  };
}

/** Poll `find` in the page until it returns an element, or fail with `what` after the timeout. */
async function waitForElement(
  page: PuppeteerPage,
  what: string,
  find: (arg: string) => Element | null,
  arg: string,
): Promise<ElementHandle<Element>> {
  const deadline = Date.now() + DEFAULT_TIMEOUT_MS;
  for (;;) {
    const handle = await page.evaluateHandle(find, arg);
    const element = handle.asElement() as ElementHandle<Element> | null;
    if (element) return element;
    await handle.dispose();
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Wrap a puppeteer page (Firefox over WebDriver BiDi) as a Participant. */
export function puppeteerParticipant(context: PuppeteerContext, page: PuppeteerPage, baseURL: string): Participant {
  return {
    browser: 'firefox',
    async goto(path) {
      await page.goto(new URL(path, baseURL).href);
    },
    async fillByLabel(label, value) {
      const field = await waitForElement(
        page,
        `a field labelled "${label}"`,
        (text) => {
          for (const l of document.querySelectorAll('label')) {
            if (l.textContent?.trim() === text && l.control) return l.control;
          }
          return document.querySelector(`[aria-label="${CSS.escape(text)}"]`);
        },
        label,
      );
      await field.evaluate((el) => {
        (el as HTMLInputElement).focus();
        (el as HTMLInputElement).select();
      });
      if (value === '') await page.keyboard.press('Backspace');
      else await page.keyboard.type(value);
      await field.dispose();
    },
    async clickButton(name) {
      const button = await waitForElement(
        page,
        `an enabled button named "${name}"`,
        (text) => {
          const candidates = document.querySelectorAll<HTMLElement>(
            'button, [role="button"], input[type="submit"], input[type="button"]',
          );
          for (const b of candidates) {
            const accessibleName = (b.getAttribute('aria-label') ?? b.textContent ?? '').trim();
            if (accessibleName === text && !(b as HTMLButtonElement).disabled) return b;
          }
          return null;
        },
        name,
      );
      await button.click();
      await button.dispose();
    },
    async chooseMore(name) {
      const more = await waitForElement(
        page,
        'the More options button',
        () =>
          [...document.querySelectorAll('button[aria-haspopup="menu"]')].find(
            (b) => b.textContent?.trim() === 'More options',
          ) ?? null,
        '',
      );
      if ((await more.evaluate((b) => b.getAttribute('aria-expanded'))) !== 'true') await more.click();
      await more.dispose();
      const item = await waitForElement(
        page,
        `a menu item named "${name}"`,
        (text) => {
          for (const m of document.querySelectorAll<HTMLElement>('[role="menuitem"]')) {
            if (m.textContent?.trim() === text) return m;
          }
          return null;
        },
        name,
      );
      await item.click();
      await item.dispose();
    },
    evaluate(fn, arg) {
      return page.evaluate(fn as (a: unknown) => never, arg);
    },
    async waitForSelector(selector, opts = {}) {
      await page.waitForSelector(selector, {
        hidden: opts.state === 'detached',
        timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      });
    },
    async setInputFiles(selector, paths) {
      const input = await page.waitForSelector(selector, { timeout: DEFAULT_TIMEOUT_MS });
      if (!input) throw new Error(`no file input matches ${selector}`);
      await (input as ElementHandle<HTMLInputElement>).uploadFile(...paths);
      await input.dispose();
    },
    url: () => page.url(),
    close: () => context.close(),
  };
}

/**
 * The browsers of one test file: each is launched once, on first use, and shared by all the
 * participants that file creates (each participant gets its own context). Close it in `after`.
 */
export class BrowserPool {
  readonly #baseURL: string;
  readonly #viewport: { width: number; height: number };
  #chromium: Promise<PlaywrightBrowser> | null = null;
  #firefox: Promise<PuppeteerBrowser> | null = null;

  /** `viewport`: every participant's page size (default 960x720). */
  constructor(baseURL: string, opts: { viewport?: { width: number; height: number } } = {}) {
    this.#baseURL = baseURL;
    this.#viewport = opts.viewport ?? { width: 960, height: 720 };
  }

  /** A new participant in `browser`, on a blank page of its own context. */
  async participant(browser: BrowserName): Promise<Participant> {
    if (browser === 'chromium') {
      this.#chromium ??= launchChromium();
      const { context, page } = await newChromiumParticipant(await this.#chromium, this.#baseURL);
      await page.setViewportSize(this.#viewport);
      return playwrightParticipant(context, page);
    }
    this.#firefox ??= launchFirefox();
    const context = await (await this.#firefox).createBrowserContext();
    const page = await context.newPage();
    await page.setViewport(this.#viewport);
    page.on('pageerror', (err) => process.stderr.write(`[firefox page error] ${String(err)}\n`));
    // The app reports link trouble (a refused description or candidate) as console warnings.
    page.on('console', (m) => {
      if (m.type() === 'warn' || m.type() === 'error') process.stderr.write(`[firefox ${m.type()}] ${m.text()}\n`);
    });
    // A failed test keeps this page's screenshot and console log (see evidence.ts).
    const witness = watchFirefox(page);
    const participant = puppeteerParticipant(context, page, this.#baseURL);
    return {
      ...participant,
      async close() {
        await witness.closing();
        await participant.close();
      },
    };
  }

  /** Launch the browsers now (e.g. in `before`), so tests do not pay for the launch. */
  async warmUp(browsers: readonly BrowserName[] = BROWSER_NAMES): Promise<void> {
    await Promise.all(
      browsers.map(async (b) => {
        if (b === 'chromium') await (this.#chromium ??= launchChromium());
        else await (this.#firefox ??= launchFirefox());
      }),
    );
  }

  async close(): Promise<void> {
    const [chromium, firefox] = [this.#chromium, this.#firefox];
    this.#chromium = this.#firefox = null;
    await Promise.allSettled([chromium?.then((b) => b.close()), firefox?.then((b) => b.close())]);
  }
}
