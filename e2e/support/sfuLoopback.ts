import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * The page of fixtures/sfuLoopback.ts (the forwarding unit's client transport against an
 * in-page stand-in unit), bundled and served on 127.0.0.1, and a driver that works with any
 * page automation (Playwright for Chromium, puppeteer for Firefox).
 */

export type LoopbackStatus = {
  remote: { state: string; tracksVersion: number; kinds: string[] } | null;
  stats: {
    videoIn: { framesDecoded: number };
    audioIn: { packetsReceived: number };
    path: { remote: { address: string } | null } | null;
  } | null;
  screen: { live: boolean; ended: boolean; frames: number };
  events: string[];
  publishOffers: Array<{ roles: string[]; simulcast: boolean; rids: string[] }>;
  audioPublished: number;
  subscribeOffers: Array<Array<{ mid: string; track: string }>>;
  views: Array<{ views: Array<{ track: string; width: number; height: number }> }>;
};

export type DataPathResult = { alice: string[]; bob: string[]; offerHasMedia: boolean | null };

export async function serveSfuLoopback(): Promise<{ url: string; close(): Promise<void> }> {
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL('../fixtures/sfuLoopback.ts', import.meta.url))],
    bundle: true,
    format: 'iife',
    write: false,
    target: 'es2022',
    logLevel: 'silent',
  });
  const script = bundle.outputFiles[0]?.text ?? '';
  const http = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(`<!doctype html><meta charset="utf-8"><title>sfu loopback</title><script>${script}</script>`);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/`,
    close: () => new Promise<void>((resolve) => http.close(() => resolve())),
  };
}

/** Calls `window.sfuLoopback[method](...args)` in the page. */
export type PageCall = (method: string, args: unknown[]) => Promise<unknown>;

/** The in-page function a PageCall evaluates (kept free of closures so any driver can send it). */
export function callInPage(method: string, args: unknown[]): unknown {
  const api = (window as unknown as { sfuLoopback: Record<string, (...x: unknown[]) => unknown> }).sfuLoopback;
  return api[method]?.(...args);
}

export function loopbackDriver(run: PageCall) {
  const status = (): Promise<LoopbackStatus> => run('status', []) as Promise<LoopbackStatus>;
  return {
    status,
    call: (method: string, ...args: unknown[]): Promise<unknown> => run(method, args),
    async until(what: string, check: (s: LoopbackStatus) => boolean, timeoutMs = 15_000): Promise<LoopbackStatus> {
      const end = Date.now() + timeoutMs;
      let last: LoopbackStatus | null = null;
      while (Date.now() < end) {
        last = await status();
        if (check(last)) return last;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.fail(`${what}: not within ${timeoutMs} ms; last status ${JSON.stringify(last)}`);
    },
  };
}

/** Camera and microphone of participant `x` received: video decoding, sound arriving, sound published. */
export const receiving = (x: LoopbackStatus): boolean =>
  x.remote?.state === 'connected' &&
  (x.stats?.videoIn.framesDecoded ?? 0) > 0 &&
  (x.stats?.audioIn.packetsReceived ?? 0) > 0 &&
  x.audioPublished > 0;
