/**
 * One link's WebRTC statistics, summarised the same way in every browser. Browsers report the
 * standard `getStats()` types but differ in the fields they fill in, so each field is read
 * where it exists and left null where it does not, never assumed:
 * - the selected candidate pair: `transport.selectedCandidatePairId` (Chromium, recent Firefox),
 *   else the pair flagged `selected` (Firefox) or the nominated succeeded pair;
 * - a candidate's address: `address`, or the older `ip` (Chromium reports both, Firefox only
 *   `address`);
 * - `availableOutgoingBitrate` and `qualityLimitationReason` exist only in Chromium.
 */

export interface CandidateInfo {
  address: string;
  port: number;
  protocol: string;
  /** host, srflx, prflx or relay. */
  type: string;
}

export interface InboundSummary {
  packetsReceived: number;
  packetsLost: number;
  bytesReceived: number;
  /** e.g. `video/VP8`, `audio/opus`; empty before the first packet. */
  codec: string;
}

export interface LinkStats {
  /**
   * The candidate pair that carries the media, or null while ICE has not chosen one. A side is
   * null when the report has no entry for its candidate (Chromium may leave out a remote
   * peer-reflexive candidate, whose address it does not disclose).
   */
  path: { local: CandidateInfo | null; remote: CandidateInfo | null; rttMs: number | null } | null;
  audioIn: InboundSummary;
  videoIn: InboundSummary & { framesDecoded: number; width: number | null; height: number | null };
  /** Estimated sending bandwidth in bit/s (Chromium only). */
  availableOutgoingBitrate: number | null;
  /** Why the sent video is reduced: `cpu`, `bandwidth`, `none` (Chromium only). */
  videoOutLimitation: string | null;
  videoOutCodec: string;
}

type Stat = Record<string, unknown>;

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function selectedPair(stats: Stat[], byId: Map<string, Stat>): Stat | null {
  for (const s of stats) {
    if (s.type !== 'transport') continue;
    const pair = byId.get(str(s.selectedCandidatePairId));
    if (pair) return pair;
  }
  const pairs = stats.filter((s) => s.type === 'candidate-pair');
  return (
    pairs.find((p) => p.selected === true) ?? pairs.find((p) => p.nominated === true && p.state === 'succeeded') ?? null
  );
}

function candidate(s: Stat | undefined): CandidateInfo | null {
  if (!s) return null;
  return {
    address: str(s.address) || str(s.ip),
    port: num(s.port) ?? 0,
    protocol: str(s.protocol),
    type: str(s.candidateType),
  };
}

export function summarizeLinkStats(report: Iterable<unknown>): LinkStats {
  const stats = [...report].filter((s): s is Stat => typeof s === 'object' && s !== null);
  const byId = new Map(stats.filter((s) => str(s.id) !== '').map((s) => [str(s.id), s]));
  const codecOf = (s: Stat): string => str(byId.get(str(s.codecId))?.mimeType);

  const pair = selectedPair(stats, byId);
  const local = candidate(byId.get(str(pair?.localCandidateId)));
  const remote = candidate(byId.get(str(pair?.remoteCandidateId)));
  const rtt = num(pair?.currentRoundTripTime);

  const summary: LinkStats = {
    path: pair ? { local, remote, rttMs: rtt === null ? null : rtt * 1000 } : null,
    audioIn: { packetsReceived: 0, packetsLost: 0, bytesReceived: 0, codec: '' },
    videoIn: {
      packetsReceived: 0,
      packetsLost: 0,
      bytesReceived: 0,
      codec: '',
      framesDecoded: 0,
      width: null,
      height: null,
    },
    availableOutgoingBitrate: num(pair?.availableOutgoingBitrate),
    videoOutLimitation: null,
    videoOutCodec: '',
  };
  for (const s of stats) {
    // `kind` is the standard name; `mediaType` is what older browsers reported.
    const kind = str(s.kind) || str(s.mediaType);
    if (s.type === 'inbound-rtp' && (kind === 'audio' || kind === 'video')) {
      const into = kind === 'audio' ? summary.audioIn : summary.videoIn;
      into.packetsReceived += num(s.packetsReceived) ?? 0;
      into.packetsLost += num(s.packetsLost) ?? 0;
      into.bytesReceived += num(s.bytesReceived) ?? 0;
      into.codec ||= codecOf(s);
      if (kind === 'video') {
        summary.videoIn.framesDecoded += num(s.framesDecoded) ?? 0;
        summary.videoIn.width ??= num(s.frameWidth);
        summary.videoIn.height ??= num(s.frameHeight);
      }
    } else if (s.type === 'outbound-rtp' && kind === 'video') {
      summary.videoOutCodec ||= codecOf(s);
      summary.videoOutLimitation ??= str(s.qualityLimitationReason) || null;
    }
  }
  return summary;
}
