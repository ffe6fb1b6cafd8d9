import { fitInside, layoutFrame, type LayoutSource } from './layout';

/** The recording's frame: 720p, a frame rate a 2-core laptop composes and encodes beside a call. */
export const RECORDING_WIDTH = 1280;
export const RECORDING_HEIGHT = 720;
export const RECORDING_FPS = 15;
/** How often the set of voices is checked for people who came, left or changed microphone. */
const AUDIO_REFRESH_MS = 1_000;

/** One tile of the call as the recording shows it. */
export interface ComposeSource extends LayoutSource {
  name: string;
  stream: MediaStream | null;
  /** False: the camera is off (the name is drawn instead of a frozen picture). */
  videoOn: boolean;
}

/** What the call has now: its tiles and every voice (remote tracks and your own microphone). */
export interface CallMediaSource {
  tiles(): ComposeSource[];
  voices(): MediaStreamTrack[];
}

/**
 * Composes the call for a recording: every tile drawn on a canvas (the grid, a shared screen
 * beside the cameras, names on each tile) and every voice mixed with WebAudio into one track.
 * `stream` has one video and one audio track; `stop()` lets go of everything.
 */
export class CallComposer {
  readonly stream: MediaStream;
  readonly #source: CallMediaSource;
  readonly #canvas: HTMLCanvasElement;
  readonly #ctx: CanvasRenderingContext2D;
  readonly #videos = new Map<string, HTMLVideoElement>();
  readonly #audio: AudioContext;
  readonly #mix: MediaStreamAudioDestinationNode;
  /** Every voice goes through one compressor, so people talking at once do not clip. */
  readonly #bus: DynamicsCompressorNode;
  readonly #voices = new Map<string, MediaStreamAudioSourceNode>();
  readonly #timers: Array<ReturnType<typeof setInterval>>;
  #stopped = false;

  constructor(source: CallMediaSource) {
    this.#source = source;
    this.#canvas = document.createElement('canvas');
    this.#canvas.width = RECORDING_WIDTH;
    this.#canvas.height = RECORDING_HEIGHT;
    const ctx = this.#canvas.getContext('2d', { alpha: false });
    if (!ctx) throw new Error('this browser cannot draw the recording (no 2D canvas)');
    this.#ctx = ctx;
    this.#audio = new AudioContext();
    void this.#audio.resume().catch(() => undefined);
    this.#mix = this.#audio.createMediaStreamDestination();
    this.#bus = this.#audio.createDynamicsCompressor();
    this.#bus.connect(this.#mix);
    this.#draw();
    this.#refreshVoices();
    const video = this.#canvas.captureStream(RECORDING_FPS).getVideoTracks();
    this.stream = new MediaStream([...video, ...this.#mix.stream.getAudioTracks()]);
    // Timers, not animation frames: those stop while the tab is hidden (timers slow to 1 a second).
    this.#timers = [
      setInterval(() => this.#draw(), 1000 / RECORDING_FPS),
      setInterval(() => this.#refreshVoices(), AUDIO_REFRESH_MS),
    ];
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const t of this.#timers) clearInterval(t);
    for (const t of this.stream.getTracks()) t.stop();
    for (const v of this.#videos.values()) v.srcObject = null;
    this.#videos.clear();
    for (const n of this.#voices.values()) n.disconnect();
    this.#voices.clear();
    void this.#audio.close().catch(() => undefined);
  }

  /** A playing video element per tile (off-screen: the page's own tiles are left alone). */
  #videoFor(src: ComposeSource): HTMLVideoElement | null {
    if (!src.stream || src.stream.getVideoTracks().length === 0) return null;
    let v = this.#videos.get(src.key);
    if (!v) {
      v = document.createElement('video');
      v.muted = true;
      v.playsInline = true;
      this.#videos.set(src.key, v);
    }
    if (v.srcObject !== src.stream) {
      v.srcObject = src.stream;
      void v.play().catch(() => undefined);
    }
    return v;
  }

  #draw(): void {
    if (this.#stopped) return;
    const ctx = this.#ctx;
    const tiles = this.#source.tiles();
    ctx.fillStyle = '#101114';
    ctx.fillRect(0, 0, RECORDING_WIDTH, RECORDING_HEIGHT);
    const seen = new Set<string>();
    for (const t of layoutFrame(tiles, RECORDING_WIDTH, RECORDING_HEIGHT)) {
      seen.add(t.key);
      ctx.fillStyle = '#24262b';
      ctx.fillRect(t.x, t.y, t.w, t.h);
      const v = this.#videoFor(t);
      if (t.videoOn && v && v.readyState >= 2 && v.videoWidth > 0) {
        const r = fitInside(v.videoWidth, v.videoHeight, t);
        ctx.drawImage(v, r.x, r.y, r.w, r.h);
      } else {
        ctx.fillStyle = '#e8e8ea';
        ctx.font = `${Math.round(Math.min(t.w, t.h) / 3)}px system-ui, sans-serif`;
        ctx.textAlign = 'center';
        ctx.textBaseline = 'middle';
        ctx.fillText([...t.name][0]?.toUpperCase() ?? '?', t.x + t.w / 2, t.y + t.h / 2);
      }
      this.#label(t.kind === 'screen' ? `${t.name}'s screen` : t.name, t.x, t.y + t.h);
    }
    for (const [key, v] of this.#videos) {
      if (seen.has(key)) continue;
      v.srcObject = null;
      this.#videos.delete(key);
    }
  }

  #label(text: string, x: number, bottom: number): void {
    const ctx = this.#ctx;
    ctx.font = '18px system-ui, sans-serif';
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    const w = Math.min(ctx.measureText(text).width + 16, RECORDING_WIDTH);
    ctx.fillStyle = 'rgba(0, 0, 0, 0.6)';
    ctx.fillRect(x, bottom - 30, w, 30);
    ctx.fillStyle = '#ffffff';
    ctx.fillText(text, x + 8, bottom - 15);
  }

  /** Mix every voice: new tracks join the mix, ended or gone ones leave it. */
  #refreshVoices(): void {
    if (this.#stopped) return;
    const now = new Map(this.#source.voices().map((t) => [t.id, t]));
    for (const [id, node] of this.#voices) {
      const track = now.get(id);
      if (track && track.readyState === 'live') continue;
      node.disconnect();
      this.#voices.delete(id);
    }
    for (const [id, track] of now) {
      if (this.#voices.has(id) || track.readyState !== 'live') continue;
      const node = this.#audio.createMediaStreamSource(new MediaStream([track]));
      node.connect(this.#bus);
      this.#voices.set(id, node);
    }
  }
}

/** The best WebM type this browser records: VP8 first (cheapest to encode beside a call), then VP9. */
export function recordingMimeType(isSupported: (type: string) => boolean): string {
  for (const type of ['video/webm;codecs=vp8,opus', 'video/webm;codecs=vp9,opus', 'video/webm']) {
    if (isSupported(type)) return type;
  }
  throw new Error('this browser cannot record WebM video');
}
