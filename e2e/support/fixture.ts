import { after, before } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import type { Browser as PuppeteerBrowser } from 'puppeteer-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './browser';
import { launchFirefox } from './firefox';
import { BrowserPool, type BrowserName } from './participant';
import { startServer, type RunningServer } from './server';

/** What most browser test files share: one built server and one Chromium for all their tests. */
export interface ServerAndChromium {
  readonly server: RunningServer;
  readonly browser: Browser;
  /** The Firefox asked for with the `firefox` option. */
  readonly firefox: PuppeteerBrowser;
  /** The participants' pool (Chromium and Firefox) asked for with the `pool` option. */
  readonly pool: BrowserPool;
  /**
   * Settles when the fixture's `before` has run: a file's own `before` that uses the server or
   * the browser awaits it first (Node 20 runs the top-level `before` hooks side by side).
   */
  readonly ready: Promise<void>;
  /** Start the server again on the same port (after a test killed it); the new one is stopped after the file. */
  restartServer(): Promise<RunningServer>;
}

export interface ServerAndChromiumOptions {
  server?: Parameters<typeof startServer>[0];
  /** Extra command-line arguments of the Chromium. */
  chromiumArgs?: string[];
  /** Standard Chromium flags to leave out (e.g. the fake camera and microphone). */
  withoutChromiumArgs?: string[];
  /** `false`: no Chromium of its own (a file that only takes participants from the pool). */
  chromium?: boolean;
  /** Also a Firefox: `true`, or the extra preferences it starts with. */
  firefox?: boolean | Record<string, unknown>;
  /** Also a `BrowserPool` on the server's address, its browsers (all by default) launched before the tests. */
  pool?: { viewport?: { width: number; height: number }; browsers?: readonly BrowserName[] };
}

/**
 * Start the server (with `server` options, e.g. its environment) and Chromium (with extra
 * command-line `chromiumArgs`) before the file's tests, and stop both after them. Call it at the
 * top of a test file; read `server` and `browser` inside tests (they exist once `before` ran).
 * With `firefox` or `pool` it also provides a Firefox or a pool of participants' browsers.
 */
export function useServerAndChromium(opts: ServerAndChromiumOptions = {}): ServerAndChromium {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let firefox: PuppeteerBrowser | undefined;
  let pool: BrowserPool | undefined;
  let started!: { resolve(): void; reject(err: unknown): void };
  const ready = new Promise<void>((resolve, reject) => (started = { resolve, reject }));
  ready.catch(() => undefined); // the failing hook reports it
  const start = async (): Promise<void> => {
    server = await startServer(opts.server);
    const url = server.url;
    await Promise.all([
      opts.chromium !== false &&
        chromium
          .launch({
            executablePath: CHROMIUM_PATH,
            args: [
              ...CHROMIUM_ARGS.filter((a) => !opts.withoutChromiumArgs?.includes(a)),
              ...(opts.chromiumArgs ?? []),
            ],
          })
          .then((b) => (browser = b)),
      opts.firefox && launchFirefox(opts.firefox === true ? {} : opts.firefox).then((b) => (firefox = b)),
      opts.pool &&
        (async () => {
          pool = new BrowserPool(url, { viewport: opts.pool?.viewport });
          await pool.warmUp(opts.pool?.browsers);
        })(),
    ]);
  };
  before(async () => {
    try {
      await start();
      started.resolve();
    } catch (err) {
      started.reject(err);
      throw err;
    }
  });
  after(async () => {
    // Contexts the tests left open (a file's own `after` may close them too) go first, gracefully.
    await Promise.allSettled(browser?.contexts().map((c) => c.close()) ?? []);
    await Promise.allSettled([browser?.close(), firefox?.close(), pool?.close()]);
    await server?.kill('SIGTERM');
  });
  const need = <T>(what: T | undefined, name: string): T => {
    if (what === undefined) throw new Error(`the ${name} is not started yet (read it inside a test)`);
    return what;
  };
  return {
    ready,
    async restartServer() {
      const port = need(server, 'server').port;
      server = await startServer({ ...opts.server, port });
      return server;
    },
    get server() {
      return need(server, 'server');
    },
    get browser() {
      return need(browser, 'browser');
    },
    get firefox() {
      return need(firefox, 'firefox');
    },
    get pool() {
      return need(pool, 'pool');
    },
  };
}
