import type { SfuTrack } from '@parley/protocol';

/** What is known of one received track: which participant and role, on which transceiver. */
export interface ReceivedTrackInfo {
  track: Pick<SfuTrack, 'participant' | 'role'>;
  transceiver: { mid: string | null };
  remote: { id: string } | null;
}

const RTP_TYPES = new Set(['inbound-rtp', 'outbound-rtp', 'remote-inbound-rtp', 'remote-outbound-rtp', 'media-source']);
const ROLE_ORDER: Record<string, number> = { microphone: 0, camera: 1, screen: 2, 'screen-audio': 3 };

/**
 * One subscribe connection's report split per remote participant, so that the per-link
 * summaries (stats.ts) work as for a mesh pair: each participant gets the inbound streams of
 * its own tracks (matched by `mid`, else by `trackIdentifier`), camera before screen, and the
 * connection's shared entries (transport, candidate pair, candidates, codecs).
 */
export function participantStats(
  report: readonly RTCStats[],
  participants: readonly string[],
  received: readonly ReceivedTrackInfo[],
): Record<string, RTCStats[]> {
  const owner = new Map<string, { participant: string; rank: number }>();
  for (const r of received) {
    const who = { participant: r.track.participant, rank: ROLE_ORDER[r.track.role] ?? 9 };
    if (r.transceiver.mid !== null) owner.set(`mid:${r.transceiver.mid}`, who);
    if (r.remote) owner.set(`track:${r.remote.id}`, who);
  }
  const shared = report.filter((s) => !RTP_TYPES.has(s.type));
  const mine = new Map<string, Array<{ s: RTCStats; rank: number }>>(participants.map((id) => [id, []]));
  for (const s of report) {
    if (s.type !== 'inbound-rtp') continue;
    const fields = s as RTCStats & { mid?: unknown; trackIdentifier?: unknown };
    const who =
      (typeof fields.mid === 'string' ? owner.get(`mid:${fields.mid}`) : undefined) ??
      (typeof fields.trackIdentifier === 'string' ? owner.get(`track:${fields.trackIdentifier}`) : undefined);
    if (who) mine.get(who.participant)?.push({ s, rank: who.rank });
  }
  const out: Record<string, RTCStats[]> = {};
  for (const [id, list] of mine) {
    out[id] = [...list.sort((a, b) => a.rank - b.rank).map((x) => x.s), ...shared];
  }
  return out;
}
