/**
 * Evidence of a failed browser test, kept under `.e2e-tmp/evidence/<test name>/`: a screenshot of
 * every page the test had open and, for Chromium, a Playwright trace of each context (open it with
 * `npx playwright show-trace <file>`); for Firefox (driven by puppeteer, which has no trace), a
 * screenshot and the page's console log.
 *
 * The participant helpers (browser.ts, participant.ts) register every context they make here.
 * Tests usually close their contexts in `finally`, before anyone knows whether the test failed,
 * so a context that closes while a test runs leaves its evidence in memory (or a scratch file for
 * a trace) at that moment; when the test passes it is thrown away, when it fails it is written out
 * together with the evidence of the contexts still open. This works with node:test's `afterEach`
 * and `t.passed`, registered once per test file (each file runs in its own process) and only when
 * the file runs under `node --test`. On by default (screenshots and console logs: a few seconds
 * over the whole suite); PARLEY_E2E_EVIDENCE=0 turns it off, PARLEY_E2E_TRACE=1 adds the Chromium
 * traces (which cost minutes over the whole suite, so they are for chasing one failure).
 */
import { mkdirSync, rmSync, writeFileSync, copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'node:test';
import type { BrowserContext as PlaywrightContext, Page as PlaywrightPage } from 'playwright-core';
import type { Page as PuppeteerPage } from 'puppeteer-core';
import { ROOT } from './server';

/** Where the evidence of failed tests goes (one folder per test). */
export const EVIDENCE_DIR = process.env.PARLEY_EVIDENCE_DIR ?? join(ROOT, '.e2e-tmp', 'evidence');
/** Watching happens only in test files run by `node --test` (not in benchmarks), unless PARLEY_E2E_EVIDENCE=0. */
export const EVIDENCE_ON = process.env.PARLEY_E2E_EVIDENCE !== '0';
const UNDER_TEST = process.env.NODE_TEST_CONTEXT !== undefined && EVIDENCE_ON;
/** Chromium contexts are traced with PARLEY_E2E_TRACE=1. */
export const TRACE = UNDER_TEST && process.env.PARLEY_E2E_TRACE === '1';

/** One file of evidence: its contents, or a scratch file to copy. */
type Item = { name: string; data: Buffer | string } | { name: string; path: string };

interface Witness {
  label: string;
  /** Collect what this context shows now (called once: at its close or when a test fails). */
  collect(): Promise<Item[]>;
}

const open = new Set<Witness>();
let closedDuringTest: Item[] = [];
let counter = 0;
let scratchDir: string | null = null;
const scratch = (): string => (scratchDir ??= mkdtempSync(join(tmpdir(), 'parley-evidence-')));

/** A file and folder name from a test's name: letters, digits and dashes. */
export function slug(name: string): string {
  return (
    name
      .normalize('NFKD')
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 100)
      .toLowerCase() || 'test'
  );
}

async function settle(w: Witness): Promise<Item[]> {
  try {
    return await w.collect();
  } catch (err) {
    return [{ name: `${w.label}-error.txt`, data: `could not collect evidence: ${String(err)}\n` }];
  }
}

/** Write `items` into the folder of the test named `testName`; returns the folder. */
export function writeEvidence(testName: string, items: readonly Item[]): string {
  const dir = join(EVIDENCE_DIR, slug(testName));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const item of items) {
    if ('path' in item) copyFileSync(item.path, join(dir, item.name));
    else writeFileSync(join(dir, item.name), item.data);
  }
  return dir;
}

function forget(items: readonly Item[]): void {
  for (const item of items) if ('path' in item) rmSync(item.path, { force: true });
}

let hooked = false;
/** Register the afterEach hook of this test file (once; only under `node --test`). */
function hook(): void {
  if (hooked || !UNDER_TEST) return;
  hooked = true;
  afterEach(async (t) => {
    const closed = closedDuringTest;
    closedDuringTest = [];
    // `passed` is on the context from Node 20.x; @types/node 20 does not declare it yet.
    if ((t as unknown as { passed?: boolean }).passed !== false) {
      forget(closed);
      return;
    }
    const stillOpen = (await Promise.all([...open].map(settle))).flat();
    const dir = writeEvidence(t.name, [...closed, ...stillOpen]);
    forget([...closed, ...stillOpen]);
    process.stderr.write(`[evidence] "${t.name}" failed: screenshots and traces in ${dir}\n`);
  });
}
// At import time (before the file's tests are declared), so the hook is the file's own.
hook();

function track(w: Witness): { closing(): Promise<void> } {
  if (!UNDER_TEST) return { closing: async () => {} };
  open.add(w);
  let done = false;
  return {
    async closing() {
      if (done) return;
      done = true;
      open.delete(w);
      closedDuringTest.push(...(await settle(w)));
    },
  };
}

/**
 * Watch a Playwright (Chromium) context: trace it and, on failure, keep a screenshot of each of
 * its pages and the trace. Its `close()` collects the evidence first.
 */
export async function watchChromium(context: PlaywrightContext, label = 'chromium'): Promise<void> {
  if (!UNDER_TEST) return;
  const id = `${++counter}-${label}`;
  // Each page's console, kept from the context's start (pages made later included).
  const log: string[] = [];
  const started = Date.now();
  const watchPage = (page: PlaywrightPage, n: number): void => {
    const line = (kind: string, text: string): void => {
      log.push(`${((Date.now() - started) / 1000).toFixed(3)} page${n} ${kind} ${text}`);
    };
    page.on('console', (m) => line(m.type(), m.text()));
    page.on('pageerror', (err) => line('pageerror', String(err)));
  };
  let pages = 0;
  for (const page of context.pages()) watchPage(page, ++pages);
  context.on('page', (page) => watchPage(page, ++pages));
  let traced = false;
  if (TRACE) {
    try {
      await context.tracing.start({ snapshots: true, screenshots: false, sources: false });
      traced = true;
    } catch {
      // A context whose tracing is already on (started by the test itself) keeps its own.
    }
  }
  const w: Witness = {
    label: id,
    async collect() {
      const items: Item[] = [{ name: `${id}-console.log`, data: log.join('\n') + '\n' }];
      for (const [i, page] of context.pages().entries()) {
        if (page.isClosed()) continue;
        items.push({ name: `${id}-page${i + 1}.png`, data: await page.screenshot({ timeout: 5_000 }) });
      }
      if (traced) {
        traced = false;
        const path = join(scratch(), `${id}-trace.zip`);
        await context.tracing.stop({ path });
        items.push({ name: `${id}-trace.zip`, path });
      }
      return items;
    },
  };
  const t = track(w);
  const close = context.close.bind(context);
  context.close = async (...args: Parameters<PlaywrightContext['close']>) => {
    await t.closing();
    return close(...args);
  };
}

/**
 * Watch a puppeteer (Firefox) page: record its console and, on failure, keep a screenshot and the
 * console log. Call `closing()` before closing its context.
 */
export function watchFirefox(page: PuppeteerPage, label = 'firefox'): { closing(): Promise<void> } {
  const id = `${++counter}-${label}`;
  const log: string[] = [];
  const started = Date.now();
  const line = (kind: string, text: string): void => {
    log.push(`${((Date.now() - started) / 1000).toFixed(3)} ${kind} ${text}`);
  };
  page.on('console', (m) => line(m.type(), m.text()));
  page.on('pageerror', (err) => line('pageerror', String(err)));
  page.on('framenavigated', (f) => {
    if (f === page.mainFrame()) line('navigated', f.url());
  });
  return track({
    label: id,
    async collect() {
      const items: Item[] = [{ name: `${id}-console.log`, data: log.join('\n') + '\n' }];
      if (!page.isClosed()) {
        items.push({ name: `${id}-page.png`, data: Buffer.from(await page.screenshot({ type: 'png' })) });
      }
      return items;
    },
  });
}
