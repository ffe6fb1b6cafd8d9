import { after, before } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from './browser';
import { startServer, type RunningServer } from './server';

/** What most browser test files share: one built server and one Chromium for all their tests. */
export interface ServerAndChromium {
  readonly server: RunningServer;
  readonly browser: Browser;
  /** Start the server again on the same port (after a test killed it); the new one is stopped after the file. */
  restartServer(): Promise<RunningServer>;
}

/**
 * Start the server (with `server` options, e.g. its environment) and Chromium (with extra
 * command-line `chromiumArgs`) before the file's tests, and stop both after them. Call it at the
 * top of a test file; read `server` and `browser` inside tests (they exist once `before` ran).
 */
export function useServerAndChromium(
  opts: { server?: Parameters<typeof startServer>[0]; chromiumArgs?: string[] } = {},
): ServerAndChromium {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  before(async () => {
    server = await startServer(opts.server);
    browser = await launchChromium(opts.chromiumArgs);
  });
  after(async () => {
    await browser?.close();
    await server?.kill('SIGTERM');
  });
  const need = <T>(what: T | undefined, name: string): T => {
    if (what === undefined) throw new Error(`the ${name} is not started yet (read it inside a test)`);
    return what;
  };
  return {
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
  };
}
