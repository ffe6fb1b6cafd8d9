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
