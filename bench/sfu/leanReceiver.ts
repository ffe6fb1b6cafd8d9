/**
 * A cheaper receive path for synthetic subscribers: werift sets the connection up (ICE, DTLS,
 * SRTP keys), then this takes over its incoming RTP. It reads what SRTP leaves in the clear
 * (sequence number, SSRC, the transport-wide sequence number), decrypts one packet in
 * LATENCY_EVERY for the send time in its payload, and keeps the receiver feedback on: werift's
 * own transport-wide congestion feedback, a NACK for every gap, a receiver report every second.
 * RTCP still goes through werift. werift's full path costs ~50 µs per packet here; this about a
 * fifth of that, so the peers stop being the bottleneck well below the server's.
 */
import {
  GenericNack,
  RtcpReceiverInfo,
  RtcpRrPacket,
  RtcpTransportLayerFeedback,
  RtpPacket,
  type RTCPeerConnection,
} from 'werift';
import { StreamCount } from './streamCount';

const TWCC_URI = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';
/** Decrypt one packet in this many for its send time. */
const LATENCY_EVERY = 8;
/** Most sequence numbers one NACK asks for (a larger gap is counted, not chased). */
const NACK_MAX = 32;
/**
 * Development check of the feedback: drop this % of incoming media packets on arrival
 * (BENCH_SFU_INBOUND_LOSS); with NACKs working the server retransmits them and loss stays low.
 */
/**
 * Transport-wide congestion feedback (werift's, timestamped when JavaScript gets the packet);
 * BENCH_SFU_TWCC=0 leaves it out, NACKs and receiver reports stay.
 */
const TWCC = process.env.BENCH_SFU_TWCC !== '0';
const INBOUND_LOSS = Number(process.env.BENCH_SFU_INBOUND_LOSS ?? 0) / 100;

interface Handlers {
  /** A counted stream appeared (first packet of an SSRC). */
  stream(count: StreamCount): void;
  /** The decrypted payload of a sampled packet. */
  sample(rtp: RtpPacket): void;
}

interface Lean {
  count: StreamCount;
  /** Highest sequence number seen, 16 bits (NACK detection). */
  last: number;
  /** Extended highest and packets received in all, for receiver reports. */
  extended: number;
  cycles: number;
  total: number;
  firstSeq: number;
  lastReportExpected: number;
  lastReportReceived: number;
}

/** What the answer says: payload types by kind, RTX payload types, the TWCC extension id. */
function fromAnswer(sdp: string): {
  kinds: Map<number, 'audio' | 'video'>;
  rtx: Set<number>;
  /** RTX SSRC -> the SSRC it repairs. */
  repairs: Map<number, number>;
  twccId?: number;
} {
  const kinds = new Map<number, 'audio' | 'video'>();
  const rtx = new Set<number>();
  const repairs = new Map<number, number>();
  for (const m of sdp.matchAll(/a=ssrc-group:FID (\d+) (\d+)/g)) repairs.set(Number(m[2]), Number(m[1]));
  let twccId: number | undefined;
  for (const section of sdp.split(/\r?\nm=/).slice(1)) {
    const kind = section.startsWith('audio') ? 'audio' : 'video';
    const pts = (/^\w+ \d+ \S+ ([\d ]+)/.exec(section)?.[1] ?? '').split(' ').map(Number);
    for (const pt of pts) kinds.set(pt, kind);
    for (const m of section.matchAll(/a=rtpmap:(\d+) rtx\//gi)) rtx.add(Number(m[1]));
    const ext = new RegExp(`a=extmap:(\\d+)(?:/\\w+)? ${TWCC_URI.replace(/[.]/g, '\\.')}`).exec(section);
    if (ext) twccId = Number(ext[1]);
  }
  return { kinds, rtx, repairs, twccId };
}

/** Take over the incoming RTP of a connected werift peer connection. */
export function installLeanReceiver(pc: RTCPeerConnection, answerSdp: string, on: Handlers): () => void {
  const { kinds, rtx, repairs, twccId } = fromAnswer(answerSdp);
  const transceiver = pc.getTransceivers()[0];
  const ice = pc.iceTransports[0]?.connection;
  if (!transceiver || !ice) throw new Error('lean receiver: no transport');
  const receiver = transceiver.receiver;
  const dtls = receiver.dtlsTransport;
  const rtcpSsrc = receiver.rtcpSsrc;
  const streams = new Map<number, Lean>();
  const original = ice.onData.execute;
  let index = 0;

  ice.onData.execute = (data: Buffer) => {
    const b0 = data[0] ?? 0;
    const b1 = data[1] ?? 0;
    // Not RTP (STUN, DTLS, RTCP: packet types 192-223): werift's own path.
    if (b0 < 128 || b0 > 191 || (b1 >= 192 && b1 <= 223) || data.length < 12) {
      original(data);
      return;
    }
    if (INBOUND_LOSS > 0 && Math.random() < INBOUND_LOSS) return;
    const pt = b1 & 0x7f;
    const ssrc = data.readUInt32BE(8);
    // Transport-wide sequence number: one-byte header extensions (profile 0xBEDE).
    let offset = 12 + 4 * (b0 & 0x0f);
    if (b0 & 0x10 && twccId !== undefined && data.length >= offset + 4 && data.readUInt16BE(offset) === 0xbede) {
      const end = offset + 4 + 4 * data.readUInt16BE(offset + 2);
      offset += 4;
      while (offset < end && offset < data.length) {
        const h = data[offset] as number;
        if (h === 0) {
          offset++;
          continue;
        }
        const id = h >> 4;
        const len = (h & 0x0f) + 1;
        if (id === twccId && len === 2) {
          if (!TWCC) break;
          if (!receiver.receiverTWCC) receiver.setupTWCC(ssrc);
          receiver.receiverTWCC?.handleTWCC(data.readUInt16BE(offset + 1));
          break;
        }
        offset += 1 + len;
      }
    }
    if (rtx.has(pt) || repairs.has(ssrc)) {
      // A retransmission: its original sequence number is the first payload bytes.
      try {
        const rtp = RtpPacket.deSerialize(dtls.srtp.decrypt(data));
        const repaired = streams.get(repairs.get(ssrc) ?? -1);
        if (repaired && rtp.payload.length >= 2) repaired.count.add(rtp.payload.readUInt16BE(0));
      } catch {
        // Undecryptable: dropped like werift drops it.
      }
      return;
    }
    const seq = data.readUInt16BE(2);
    let s = streams.get(ssrc);
    if (!s) {
      s = {
        count: new StreamCount(kinds.get(pt) ?? 'video'),
        last: (seq - 1) & 0xffff,
        extended: seq - 1,
        cycles: 0,
        total: 0,
        firstSeq: seq,
        lastReportExpected: 0,
        lastReportReceived: 0,
      };
      streams.set(ssrc, s);
      on.stream(s.count);
    }
    const gap = (seq - s.last) & 0xffff;
    if (gap > 1 && gap < 0x8000) {
      const lost: number[] = [];
      for (let i = 1; i < gap && i <= NACK_MAX; i++) lost.push((s.last + i) & 0xffff);
      void dtls.sendRtcp([
        new RtcpTransportLayerFeedback({
          feedback: new GenericNack({ senderSsrc: rtcpSsrc, mediaSourceSsrc: ssrc, lost }),
        }),
      ]);
    }
    if (gap > 0 && gap < 0x8000) {
      if (seq < s.last) s.cycles += 0x10000;
      s.last = seq;
    }
    s.total++;
    s.count.add(seq);
    if (++index % LATENCY_EVERY === 0) {
      try {
        on.sample(RtpPacket.deSerialize(dtls.srtp.decrypt(data)));
      } catch {
        // Sampled packets only measure latency; a failure costs one sample.
      }
    }
  };

  // Receiver reports, every second, for every stream.
  const timer = setInterval(() => {
    const reports = [...streams].map(([ssrc, s]) => {
      const highest = s.cycles + s.last;
      const expected = highest - s.firstSeq + 1;
      const expectedInterval = expected - s.lastReportExpected;
      const receivedInterval = s.total - s.lastReportReceived;
      s.lastReportExpected = expected;
      s.lastReportReceived = s.total;
      const lostInterval = expectedInterval - receivedInterval;
      return new RtcpReceiverInfo({
        ssrc,
        fractionLost: expectedInterval > 0 && lostInterval > 0 ? Math.floor((lostInterval << 8) / expectedInterval) : 0,
        packetsLost: Math.max(0, expected - s.total),
        highestSequence: highest >>> 0,
        jitter: 0,
        lsr: 0,
        dlsr: 0,
      });
    });
    for (let i = 0; i < reports.length; i += 31) {
      void dtls.sendRtcp([new RtcpRrPacket({ ssrc: rtcpSsrc, reports: reports.slice(i, i + 31) })]);
    }
  }, 1000);
  timer.unref();
  return () => {
    clearInterval(timer);
    ice.onData.execute = original;
  };
}
