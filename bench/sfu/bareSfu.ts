/**
 * The reference of the forwarding-unit benchmark: the same engine (medooze-media-server) behind
 * the smallest Socket.IO server that speaks the part of the Parley protocol the synthetic peers
 * use (`join`, `sfu-publish`, `sfu-tracks`, `sfu-subscribe`, and `sfu-view` as far as a 0x0
 * view mutes a video). Every subscriber gets every track's only layer. What Parley's server costs beyond it is Parley's
 * own. Prints "open http://127.0.0.1:PORT" on stderr like the Parley server.
 */
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { Server, type Socket } from 'socket.io';
import { CAPABILITIES } from '../../server/src/sfu/engine/medooze';

/* eslint-disable @typescript-eslint/no-explicit-any -- medooze ships no types; this file is a benchmark reference */
const require = createRequire(import.meta.url);
const MediaServer = require('medooze-media-server') as any;
const { SDPInfo, StreamInfo } = require('semantic-sdp') as any;

MediaServer.enableLog(false);
MediaServer.enableDebug(false);
MediaServer.enableWarning(false);
const endpoint = MediaServer.createEndpoint('127.0.0.1');

interface Published {
  id: string;
  participant: string;
  role: string;
  kind: 'audio' | 'video';
  track: any;
}

const tracks = new Map<string, Published>();
const transports = new Set<any>();

function negotiate(sdp: string): { transport: any; offer: any; answer: any } {
  const offer = SDPInfo.parse(sdp);
  const transport = endpoint.createTransport(offer);
  transports.add(transport);
  transport.setRemoteProperties(offer);
  const answer = offer.answer({
    dtls: transport.getLocalDTLSInfo(),
    ice: transport.getLocalICEInfo(),
    candidates: endpoint.getLocalCandidates(),
    capabilities: CAPABILITIES,
  });
  return { transport, offer, answer };
}

const http = createServer();
const io = new Server(http, { transports: ['websocket'] });
let nextId = 0;
io.of('/parley').on('connection', (socket: Socket) => {
  const id = `p${nextId++}`;
  let room = '';
  const owned: any[] = [];
  /** Forwarding of each subscribed track (by track id), and the views asked for so far. */
  const transponders = new Map<string, any>();
  const hidden = new Set<string>();
  const broadcast = (): void => {
    const list = [...tracks.values()].map(({ id: t, participant, role, kind }) => ({ id: t, participant, role, kind }));
    for (const s of io.of('/parley').sockets.values()) {
      const me = s.data.id as string;
      s.emit('sfu-tracks', { tracks: list.filter((t) => t.participant !== me) });
    }
  };
  socket.data.id = id;
  socket.on('join', (msg: { room: string }, ack: (r: unknown) => void) => {
    room = msg.room;
    ack({ ok: true, room, self: { id }, participants: [], topology: 'sfu' });
    broadcast();
  });
  socket.on(
    'sfu-publish',
    (msg: { description: { sdp: string }; tracks: Array<{ mid: string; role: string }> }, ack) => {
      const { transport, offer, answer } = negotiate(msg.description.sdp);
      owned.push(transport);
      for (const stream of offer.getStreams().values()) {
        for (const info of stream.getTracks().values()) {
          const mid = info.getMediaId() as string;
          const role = msg.tracks.find((t) => t.mid === mid)?.role ?? 'camera';
          const kind = info.getMedia() === 'audio' ? 'audio' : 'video';
          const track = transport.createIncomingStreamTrack(kind, info);
          tracks.set(`${id}:${mid}`, { id: `${id}:${mid}`, participant: id, role, kind, track });
        }
      }
      transport.setLocalProperties(answer);
      (ack as (r: unknown) => void)({ ok: true, description: { type: 'answer', sdp: answer.toString() } });
      broadcast();
    },
  );
  socket.on(
    'sfu-subscribe',
    (msg: { description: { sdp: string }; tracks: Array<{ mid: string; track: string }> }, ack) => {
      const { transport, answer } = negotiate(msg.description.sdp);
      owned.push(transport);
      const pairs: Array<{ out: any; source: any }> = [];
      for (const { mid, track } of msg.tracks) {
        const source = tracks.get(track);
        if (!source) continue;
        const out = transport.createOutgoingStreamTrack(source.kind, { id: `${track}@${id}`, mediaId: mid });
        const stream = new StreamInfo(`s-${mid}`);
        stream.addTrack(out.getTrackInfo());
        answer.addStream(stream);
        pairs.push({ out, source });
      }
      transport.setLocalProperties(answer);
      transport.on('dtlsstate', (state: string) => {
        if (state !== 'connected') return;
        for (const { out, source } of pairs) {
          const transponder = out.attachTo(source.track);
          transponders.set(source.id, transponder);
          if (hidden.has(source.id)) transponder.mute(true);
          source.track.refresh();
        }
      });
      (ack as (r: unknown) => void)({ ok: true, description: { type: 'answer', sdp: answer.toString() } });
    },
  );
  socket.on('sfu-view', (msg: { views: Array<{ track: string; width: number; height: number }> }) => {
    for (const v of msg.views) {
      const off = v.width === 0 || v.height === 0;
      if (off) hidden.add(v.track);
      else hidden.delete(v.track);
      transponders.get(v.track)?.mute(off);
    }
  });
  socket.on('disconnect', () => {
    for (const [key, t] of tracks) if (t.participant === id) tracks.delete(key);
    for (const t of owned) {
      transports.delete(t);
      t.stop();
    }
    if (room) broadcast();
  });
});

http.listen(0, '127.0.0.1', () => {
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stderr.write(`open http://127.0.0.1:${port}\n`);
});
const stop = (): void => {
  for (const t of transports) t.stop();
  endpoint.stop();
  MediaServer.terminate();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
