import type { PublishedTrack, TrackRole } from '@parley/protocol';

/**
 * Which track is which on a peer connection. Every description says, by transceiver `mid`, what
 * its sender sends (`tracks` of a description signal). A version-1 client says nothing: then the
 * first audio and the first video transceiver carry its microphone and camera, and later ones a
 * screen and its sound, which is how Parley placed them before roles were sent.
 */

/** The parts of a transceiver read here (a real RTCRtpTransceiver, or a stand-in in tests). */
export interface TransceiverLike {
  mid: string | null;
  currentDirection?: RTCRtpTransceiverDirection | null;
  receiver: { track: { kind: string } };
}

/** The roles a remote description announced for its sender's tracks (others' entries ignored). */
export function rolesFrom(tracks: readonly PublishedTrack[], sender: string): Map<string, TrackRole> {
  return new Map(tracks.filter((t) => t.participant === sender).map((t) => [t.mid, t.role]));
}

/**
 * The role of the track a remote transceiver receives: as announced, else by order (`roles` null:
 * the remote side never announced any).
 */
export function remoteRole<T extends TransceiverLike>(
  t: T,
  all: readonly T[],
  roles: ReadonlyMap<string, TrackRole> | null,
): TrackRole {
  const said = t.mid !== null ? roles?.get(t.mid) : undefined;
  if (said) return said;
  const kind = t.receiver.track.kind;
  const first = all.find((x) => x.receiver.track.kind === kind) === t;
  if (kind === 'audio') return first ? 'microphone' : 'screen-audio';
  return first ? 'camera' : 'screen';
}

/**
 * On the answering side: the transceiver of an offer that carries the offerer's microphone or
 * camera (ours rides back on it), by the announced roles, else the first open one of its kind.
 */
export function cameraTransceiver<T extends TransceiverLike>(
  all: readonly T[],
  kind: 'audio' | 'video',
  roles: ReadonlyMap<string, TrackRole> | null,
): T | undefined {
  const wanted: TrackRole = kind === 'audio' ? 'microphone' : 'camera';
  const open = all.filter((t) => t.receiver.track.kind === kind && t.currentDirection !== 'stopped');
  return open.find((t) => t.mid !== null && roles?.get(t.mid) === wanted) ?? open[0];
}

/** What this side announces: the role of every transceiver it sends on that has a mid. */
export function announce<T extends TransceiverLike>(
  all: readonly T[],
  roleOf: (t: T) => TrackRole | undefined,
  participant: string,
): PublishedTrack[] {
  const out: PublishedTrack[] = [];
  for (const t of all) {
    const role = roleOf(t);
    if (role && t.mid !== null && t.currentDirection !== 'stopped') out.push({ mid: t.mid, participant, role });
  }
  return out;
}
