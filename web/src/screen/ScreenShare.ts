import { Emitter } from '../emitter';
import type { Call } from '../media/Call';

/** What a screen share asks of the browser: legible (high resolution) rather than smooth. */
export const SCREEN_CONSTRAINTS: MediaTrackConstraints = {
  width: { ideal: 1920, max: 1920 },
  height: { ideal: 1080, max: 1080 },
  frameRate: { ideal: 5, max: 15 },
};

export interface ScreenView {
  key: string;
  participantId: string;
  name: string;
  stream: MediaStream;
  local: boolean;
}

export interface ScreenShareEvents {
  change: (screens: ScreenView[]) => void;
}

interface Outgoing {
  track: MediaStreamTrack;
  stream: MediaStream;
}

/**
 * Screen sharing for one call: the shared screen goes to every peer as an extra video track
 * (the camera keeps going), and others' shares come back as their own views. Several people
 * may share at once. Stopping from the app or from the browser's own control ends it for all.
 */
export class ScreenShare extends Emitter<ScreenShareEvents> {
  readonly #call: Call;
  readonly #remote = new Map<string, ScreenView>();
  readonly #offs: Array<() => void> = [];
  #out: Outgoing | null = null;
  #list: ScreenView[] = [];

  constructor(call: Call) {
    super();
    this.#call = call;
    this.#offs.push(
      call.on('remote-track', (id, track, role, stream) => {
        if (role === 'screen') this.#remoteTrack(id, track, stream);
      }),
      call.on('remote-removed', (id) => this.#peerGone(id)),
      call.on('change', (s) => {
        if (s.phase === 'left' || s.phase === 'failed') this.stop();
      }),
    );
  }

  get screens(): ScreenView[] {
    return this.#list;
  }

  get sharing(): boolean {
    return this.#out !== null;
  }

  /** Ask the browser for a screen and share it. Returns a sentence when that fails, else null. */
  async start(): Promise<string | null> {
    if (this.#out) return null;
    if (!navigator.mediaDevices?.getDisplayMedia) return 'This browser cannot share a screen here.';
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({ video: SCREEN_CONSTRAINTS, audio: false });
    } catch (err) {
      const name = err instanceof Error ? err.name : '';
      return name === 'NotAllowedError' ? null : 'The screen could not be shared.';
    }
    const track = stream.getVideoTracks()[0];
    if (!track || this.#out) {
      for (const t of stream.getTracks()) t.stop();
      return track ? null : 'The screen could not be shared.';
    }
    track.contentHint = 'detail';
    // The browser's own "Stop sharing" control (or the source going away) ends the track.
    track.addEventListener('ended', () => this.stop());
    this.#out = { track, stream };
    // The transport sends it to everyone connected now, and to each newcomer once connected.
    this.#call.transport?.publish(track, 'screen', stream);
    this.#publish();
    return null;
  }

  /** Stop sharing (idempotent). */
  stop(): void {
    const out = this.#out;
    if (!out) return;
    this.#out = null;
    out.track.stop();
    this.#call.transport?.unpublish(out.track);
    this.#publish();
  }

  dispose(): void {
    this.stop();
    for (const off of this.#offs) off();
    this.removeAllListeners();
  }

  #remoteTrack(peerId: string, track: MediaStreamTrack, stream: MediaStream | null): void {
    const key = `${peerId}:${track.id}`;
    const name = this.#call.snapshot.remotes.find((r) => r.participant.id === peerId)?.participant.name ?? 'Someone';
    const view: ScreenView = { key, participantId: peerId, name, stream: new MediaStream([track]), local: false };
    this.#remote.set(key, view);
    const gone = (): void => {
      if (this.#remote.delete(key)) this.#publish();
    };
    track.addEventListener('ended', gone);
    stream?.addEventListener('removetrack', (e) => {
      if (e.track === track) gone();
    });
    this.#publish();
  }

  #peerGone(peerId: string): void {
    let changed = false;
    for (const [key, v] of this.#remote) {
      if (v.participantId === peerId) changed = this.#remote.delete(key) || changed;
    }
    if (changed) this.#publish();
  }

  #publish(): void {
    const self = this.#call.snapshot.self;
    const local: ScreenView[] = this.#out
      ? [
          {
            key: 'local',
            participantId: self?.id ?? '',
            name: self?.name ?? 'You',
            stream: this.#out.stream,
            local: true,
          },
        ]
      : [];
    this.#list = [...local, ...this.#remote.values()];
    this.emit('change', this.#list);
  }
}
