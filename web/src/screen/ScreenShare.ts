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

/** A shared screen's sound from someone else, played with their screen. */
export interface ScreenSound {
  key: string;
  participantId: string;
  stream: MediaStream;
}

/**
 * What a screen share asks of the browser besides the picture: the sound of the tab or screen
 * where it offers it (Chromium: a tab's sound, or the whole system's on Windows and ChromeOS),
 * and that the shared tab stop playing it locally, so the sharer does not hear it twice.
 */
export const SCREEN_AUDIO_CONSTRAINTS = { suppressLocalAudioPlayback: true } as MediaTrackConstraints;

export interface ScreenShareEvents {
  change: (screens: ScreenView[]) => void;
}

interface Outgoing {
  track: MediaStreamTrack;
  /** The shared sound, when the person picked a source with sound. */
  audio: MediaStreamTrack | null;
  /** What goes out: the picture and its sound. */
  stream: MediaStream;
  /** What the sharer's own screen tile shows: the picture only, so its sound never plays here. */
  view: MediaStream;
}

/**
 * Screen sharing for one call: the shared screen goes to every peer as an extra video track
 * (the camera keeps going), with its sound as an extra audio track (role `screen-audio`) when the
 * source has one, and others' shares come back as their own views and sounds. Several people
 * may share at once. Stopping from the app or from the browser's own control ends it for all.
 */
export class ScreenShare extends Emitter<ScreenShareEvents> {
  readonly #call: Call;
  readonly #remote = new Map<string, ScreenView>();
  readonly #sounds = new Map<string, ScreenSound>();
  readonly #offs: Array<() => void> = [];
  #out: Outgoing | null = null;
  #list: ScreenView[] = [];
  #soundList: ScreenSound[] = [];

  constructor(call: Call) {
    super();
    this.#call = call;
    this.#offs.push(
      call.on('remote-track', (id, track, role, stream) => {
        if (role === 'screen') this.#remoteTrack(id, track, stream);
        else if (role === 'screen-audio') this.#remoteSound(id, track, stream);
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

  /** Others' shared sounds, to be played (never one of ours). */
  get sounds(): ScreenSound[] {
    return this.#soundList;
  }

  /** Whether our share sends sound. */
  get sharingAudio(): boolean {
    return this.#out?.audio != null;
  }

  get sharing(): boolean {
    return this.#out !== null;
  }

  /** Ask the browser for a screen (and its sound) and share it. Returns a sentence when that fails, else null. */
  async start(): Promise<string | null> {
    if (this.#out) return null;
    if (!navigator.mediaDevices?.getDisplayMedia) return 'This browser cannot share a screen here.';
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({
        video: SCREEN_CONSTRAINTS,
        audio: SCREEN_AUDIO_CONSTRAINTS,
        // Offer the whole system's sound too where the browser can (Chromium; others ignore it).
        systemAudio: 'include',
      } as DisplayMediaStreamOptions);
    } catch (err) {
      const name = err instanceof Error ? err.name : '';
      return name === 'NotAllowedError' ? null : 'The screen could not be shared.';
    }
    return this.share(stream);
  }

  /**
   * Share a captured screen: its first video track, and its first audio track when it has one
   * (what `start` does with the browser's capture). Returns a sentence when that fails, else null.
   */
  share(stream: MediaStream): string | null {
    const track = stream.getVideoTracks()[0];
    if (!track || this.#out) {
      for (const t of stream.getTracks()) t.stop();
      return track ? null : 'The screen could not be shared.';
    }
    const audio = stream.getAudioTracks()[0] ?? null;
    track.contentHint = 'detail';
    // The browser's own "Stop sharing" control (or the source going away) ends the track.
    track.addEventListener('ended', () => this.stop());
    // A source whose sound ends (a tab that closed its player) leaves the picture going.
    audio?.addEventListener('ended', () => this.#stopSound());
    const out = new MediaStream(audio ? [track, audio] : [track]);
    this.#out = { track, audio, stream: out, view: new MediaStream([track]) };
    // The transport sends it to everyone connected now, and to each newcomer once connected;
    // the sound rides in the same stream, so the others play it with the picture.
    this.#call.transport?.publish(track, 'screen', out);
    if (audio) this.#call.transport?.publish(audio, 'screen-audio', out);
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
    if (out.audio) {
      out.audio.stop();
      this.#call.transport?.unpublish(out.audio);
    }
    this.#publish();
  }

  #stopSound(): void {
    const out = this.#out;
    if (!out?.audio) return;
    this.#call.transport?.unpublish(out.audio);
    out.audio = null;
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

  #remoteSound(peerId: string, track: MediaStreamTrack, stream: MediaStream | null): void {
    const key = `${peerId}:${track.id}`;
    this.#sounds.set(key, { key, participantId: peerId, stream: new MediaStream([track]) });
    const gone = (): void => {
      if (this.#sounds.delete(key)) this.#publish();
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
    for (const [key, v] of this.#sounds) {
      if (v.participantId === peerId) changed = this.#sounds.delete(key) || changed;
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
            stream: this.#out.view,
            local: true,
          },
        ]
      : [];
    this.#list = [...local, ...this.#remote.values()];
    this.#soundList = [...this.#sounds.values()];
    this.emit('change', this.#list);
  }
}
