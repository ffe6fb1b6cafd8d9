/**
 * The one reader of WebRTC statistics (`readStats`): the link summary below and the quality
 * figures (quality/linkQuality.ts) are both built on it. Browsers report the
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

/** One inbound kind (all streams of it), as read from a report. */
export interface InboundReading extends InboundSummary {
  framesDecoded: number;
  /** Frames per second of the first stream that reports it (Chromium, recent Firefox). */
  framesPerSecond: number | null;
  width: number | null;
  height: number | null;
}

/** Everything Parley reads from one `getStats()` report, once, the same way in every browser. */
export interface StatsReading {
  /** The selected candidate pair (null while ICE has not chosen one). */
  pair: {
    local: CandidateInfo | null;
    remote: CandidateInfo | null;
    rttSeconds: number | null;
    /** Chromium only. */
    availableOutgoingBitrate: number | null;
  } | null;
  audioIn: InboundReading;
  videoIn: InboundReading;
  /** Bytes sent on every outbound stream (audio and video). */
  bytesSent: number;
  videoOut: { codec: string; limitation: string | null };
}

const inbound = (): InboundReading => ({
  packetsReceived: 0,
  packetsLost: 0,
  bytesReceived: 0,
  codec: '',
  framesDecoded: 0,
  framesPerSecond: null,
  width: null,
  height: null,
});

/** The one reader of `getStats()` reports (the link summary and the quality figures use it). */
export function readStats(report: Iterable<unknown>): StatsReading {
  const stats = [...report].filter((s): s is Stat => typeof s === 'object' && s !== null);
  const byId = new Map(stats.filter((s) => str(s.id) !== '').map((s) => [str(s.id), s]));
  const codecOf = (s: Stat): string => str(byId.get(str(s.codecId))?.mimeType);

  const pair = selectedPair(stats, byId);
  const reading: StatsReading = {
    pair: pair
      ? {
          local: candidate(byId.get(str(pair.localCandidateId))),
          remote: candidate(byId.get(str(pair.remoteCandidateId))),
          rttSeconds: num(pair.currentRoundTripTime),
          availableOutgoingBitrate: num(pair.availableOutgoingBitrate),
        }
      : null,
    audioIn: inbound(),
    videoIn: inbound(),
    bytesSent: 0,
    videoOut: { codec: '', limitation: null },
  };
  for (const s of stats) {
    // `kind` is the standard name; `mediaType` is what older browsers reported.
    const kind = str(s.kind) || str(s.mediaType);
    if (s.type === 'inbound-rtp' && (kind === 'audio' || kind === 'video')) {
      const into = kind === 'audio' ? reading.audioIn : reading.videoIn;
      into.packetsReceived += num(s.packetsReceived) ?? 0;
      // Duplicates can make a stream's count negative; a stream never adds negative loss.
      into.packetsLost += Math.max(0, num(s.packetsLost) ?? 0);
      into.bytesReceived += num(s.bytesReceived) ?? 0;
      into.codec ||= codecOf(s);
      into.framesDecoded += num(s.framesDecoded) ?? 0;
      into.framesPerSecond ??= num(s.framesPerSecond);
      into.width ??= num(s.frameWidth);
      into.height ??= num(s.frameHeight);
    } else if (s.type === 'outbound-rtp') {
      reading.bytesSent += num(s.bytesSent) ?? 0;
      if (kind === 'video') {
        reading.videoOut.codec ||= codecOf(s);
        reading.videoOut.limitation ??= str(s.qualityLimitationReason) || null;
      }
    }
  }
  return reading;
}

export function summarizeLinkStats(report: Iterable<unknown>): LinkStats {
  const r = readStats(report);
  const { framesDecoded, width, height } = r.videoIn;
  const only = (i: InboundReading): InboundSummary => ({
    packetsReceived: i.packetsReceived,
    packetsLost: i.packetsLost,
    bytesReceived: i.bytesReceived,
    codec: i.codec,
  });
  return {
    path: r.pair
      ? {
          local: r.pair.local,
          remote: r.pair.remote,
          rttMs: r.pair.rttSeconds === null ? null : r.pair.rttSeconds * 1000,
        }
      : null,
    audioIn: only(r.audioIn),
    videoIn: { ...only(r.videoIn), framesDecoded, width, height },
    availableOutgoingBitrate: r.pair?.availableOutgoingBitrate ?? null,
    videoOutLimitation: r.videoOut.limitation,
    videoOutCodec: r.videoOut.codec,
  };
}
