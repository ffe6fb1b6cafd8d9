import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { iceUrlsOf, preparedFits, type PreparedWant } from './preparedLink';

const turn = { urls: ['turn:turn.example.org:3478?transport=udp', 'turn:turn.example.org:3478?transport=tcp'] };
const stun = { urls: ['stun:turn.example.org:3478'] };

/** A stand-in for a MediaStream with these kinds of track (only the track counts are read). */
function streamWith(...kinds: Array<'audio' | 'video'>): PreparedWant['stream'] {
  const tracks = kinds.map((kind) => ({ kind }) as MediaStreamTrack);
  return {
    getAudioTracks: () => tracks.filter((t) => t.kind === 'audio'),
    getVideoTracks: () => tracks.filter((t) => t.kind === 'video'),
  };
}

const made = {
  pc: { signalingState: 'have-local-offer' as RTCSignalingState },
  sends: { audio: true, video: true },
  relayOnly: false,
  iceUrls: iceUrlsOf([stun, { ...turn, username: 'check-1', credential: 'a' }]),
};
const want: PreparedWant = {
  stream: streamWith('audio', 'video'),
  relayOnly: false,
  // The join reply's credentials differ from the check's; the servers are the same.
  iceServers: [{ ...turn, username: '1:participant', credential: 'b' }, stun],
};

describe('preparedFits: when the connection prepared before Join can serve the call', () => {
  test('same servers (in any order, other credentials), policy and devices: it fits', () => {
    assert.equal(preparedFits(made, want), true);
    assert.equal(preparedFits({ ...made, pc: { signalingState: 'stable' } }, want), true, 'offer still being set');
  });

  test('other ICE servers, relay policy or a closed connection: it does not', () => {
    assert.equal(preparedFits(made, { ...want, iceServers: [stun] }), false);
    assert.equal(preparedFits(made, { ...want, iceServers: [] }), false);
    assert.equal(preparedFits(made, { ...want, relayOnly: true }), false);
    assert.equal(preparedFits({ ...made, pc: { signalingState: 'closed' } }, want), false);
  });

  test('a camera or microphone that came or went since: it does not', () => {
    assert.equal(preparedFits(made, { ...want, stream: streamWith('audio') }), false);
    assert.equal(preparedFits(made, { ...want, stream: streamWith('video') }), false);
    assert.equal(
      preparedFits({ ...made, sends: { audio: true, video: false } }, { ...want, stream: streamWith('audio') }),
      true,
    );
    assert.equal(preparedFits(made, { ...want, stream: null }), false);
  });
});
