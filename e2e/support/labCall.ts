import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './browser';
import type { NetLab } from './netlab';
import { startServer, type RunningServer } from './server';

/*
 * Calls on the network lab: the server in a lab node of its own and each person's browser in
 * theirs, so one person's link can be made bad while the others' stay good.
 */

/** Start the built server inside lab node `node` (made here), reachable at its lab address. */
export async function startLabServer(
  lab: NetLab,
  env: Record<string, string> = {},
  node = 'server',
): Promise<RunningServer> {
  const n = await lab.addNode(node);
  // The forwarding unit announces the address browsers reach it at.
  return startServer({ netns: { ns: n.ns, host: n.address }, env: { SFU_ANNOUNCED_IPS: n.address, ...env } });
}

export interface LabPerson {
  name: string;
  browser: Browser;
  context: BrowserContext;
  page: Page;
}

/**
 * A person on lab node `name` (made here): their own Chromium, all of whose traffic (signaling
 * and media) goes through their node's link. `origin` is the server's; plain HTTP on a lab
 * address is not a secure context, so Chromium is told to treat that one origin as secure.
 */
export async function labPerson(
  lab: NetLab,
  name: string,
  origin: string,
  extraArgs: string[] = [],
): Promise<LabPerson> {
  await lab.addNode(name);
  const browser = await chromium.launch({
    executablePath: lab.wrapper(name, CHROMIUM_PATH),
    args: [...CHROMIUM_ARGS, `--unsafely-treat-insecure-origin-as-secure=${origin}`, ...extraArgs],
  });
  const context = await browser.newContext({
    baseURL: origin,
    permissions: ['camera', 'microphone'],
    viewport: { width: 960, height: 720 },
  });
  const page = await context.newPage();
  page.on('pageerror', (err) => process.stderr.write(`[${name} page error] ${err.message}\n`));
  return { name, browser, context, page };
}
