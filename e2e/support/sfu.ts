import type { Page } from 'playwright-core';

/** Remote `address:port` of every selected candidate pair of the page's call (where its media goes). */
export async function selectedRemotes(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const call = (window as unknown as { __parleyCall?: { getStats(): Promise<Record<string, RTCStats[]>> } })
      .__parleyCall;
    if (!call) return [];
    const out = new Set<string>();
    for (const list of Object.values(await call.getStats())) {
      const byId = new Map(list.map((s) => [s.id, s as RTCStats & Record<string, unknown>]));
      for (const s of byId.values()) {
        if (s.type !== 'transport' || typeof s.selectedCandidatePairId !== 'string') continue;
        const pair = byId.get(s.selectedCandidatePairId);
        const remote = pair ? byId.get(String(pair.remoteCandidateId)) : undefined;
        if (remote) out.add(`${String(remote.address ?? remote.ip)}:${String(remote.port)}`);
      }
    }
    return [...out];
  });
}

/**
 * Keep every RTCPeerConnection the page makes in `window.__pcs`, so a test can read what the
 * browser sends (the app's own stats are per remote participant). Call before the page loads.
 */
export async function recordPeerConnections(page: Page): Promise<void> {
  // A plain script: the test's own compiled code would carry helpers the page does not have.
  await page.addInitScript({
    content: `(() => {
      const Original = window.RTCPeerConnection;
      const all = [];
      window.__pcs = all;
      window.RTCPeerConnection = new Proxy(Original, {
        construct(target, args, newTarget) {
          const pc = Reflect.construct(target, args, newTarget);
          all.push(pc);
          return pc;
        },
      });
    })();`,
  });
}

export interface OutboundLayer {
  rid?: string;
  width?: number;
  fps?: number;
  bytes?: number;
  active?: boolean;
  limit?: string;
}

/** The page's outgoing video layers as the browser sends them (needs `recordPeerConnections`). */
export async function outboundVideoLayers(page: Page): Promise<OutboundLayer[]> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __pcs?: RTCPeerConnection[] }).__pcs ?? [];
    const out: OutboundLayer[] = [];
    for (const pc of pcs) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((r: Record<string, unknown>) => {
        if (r.type !== 'outbound-rtp' || r.kind !== 'video') return;
        out.push({
          rid: r.rid as string | undefined,
          width: r.frameWidth as number | undefined,
          fps: r.framesPerSecond as number | undefined,
          bytes: r.bytesSent as number | undefined,
          active: r.active as boolean | undefined,
          limit: r.qualityLimitationReason as string | undefined,
        });
      });
    }
    return out;
  });
}

/**
 * Wait until the page sends a video layer wider than `width` (up to `timeoutMs`). On a busy
 * machine Chromium's bandwidth estimate can hold a simulcast publisher on its quarter layer for
 * a long time; a forwarding unit can only forward what it receives. Null when it never does.
 */
export async function waitForLayerWiderThan(
  page: Page,
  width: number,
  timeoutMs: number,
): Promise<OutboundLayer[] | null> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const layers = await outboundVideoLayers(page);
    if (layers.some((l) => (l.bytes ?? 0) > 0 && (l.width ?? 0) > width)) return layers;
    if (Date.now() > end) return null;
    await page.waitForTimeout(500);
  }
}
