/**
 * The background processor: takes a camera track and gives a processed track in which the
 * person stays and the background is blurred or one plain colour.
 *
 * Per frame: the latest person mask is drawn scaled up, the frame is kept where the mask is
 * (`source-in`), and the background goes behind it (`destination-over`): a small blurred copy of
 * the frame scaled up (cheap: blurring a 1/8 size picture), or the colour. The model runs on a
 * 256-pixel-wide copy only when the pacer says it is due, and not awaited: frames in between are
 * composited with the last mask, so a slow model lowers the mask's rate, not the video's.
 *
 * Two paths: `MediaStreamTrackProcessor` -> `MediaStreamTrackGenerator` where the browser has
 * them (Chromium), else a hidden <video> read on each `requestVideoFrameCallback` into a canvas
 * whose `captureStream()` is the output (Firefox). Either way the processor reads its own clone
 * of the camera track, and stopping the output track (as the call does when it replaces or ends
 * it) disposes everything: the loop, the clone and the model reference. The track it was given
 * stays its owner's (a clone keeps the camera open while either is live).
 */
import { BACKGROUND_COLOUR } from './mode';
import type { BackgroundMode } from './mode';
import { ModelPacer } from './pacing';
import { acquireSegmenter, type SegmenterLease } from './sharedSegmenter';

export type EffectMode = Exclude<BackgroundMode, 'none'>;

export interface ProcessorStats {
  path: 'track-processor' | 'canvas';
  /** Camera frames seen and processed frames sent, since the start. */
  framesIn: number;
  framesOut: number;
  modelRuns: number;
  /** Model runs per second allowed now (the pacer's rate). */
  modelFps: number;
  /** Average ms of one model run, and of compositing one frame (on the page's thread). */
  modelMs: number;
  compositeMs: number;
  /** Seconds since the start. */
  seconds: number;
}

export interface ProcessedCamera {
  readonly mode: EffectMode;
  /** The processed track to send (its `stop()` disposes the processor). */
  readonly track: MediaStreamTrack;
  /** The camera track it reads: its own copy of the one it was given, stopped with it. */
  readonly source: MediaStreamTrack;
  stats(): ProcessorStats;
  /** Called once if the model stops working; the output then carries the camera as it is. */
  onFailure(listener: (err: unknown) => void): void;
  /** Dispose everything, its copy of the camera included. Idempotent. */
  stop(): void;
  /** A new unprocessed copy of the camera for the caller to own (to go back to the raw camera). */
  handBack(): MediaStreamTrack;
}

/** Width of the picture given to the model (the landscape model works at 256x144). */
const MODEL_WIDTH = 256;
/** The blurred background is drawn from a copy this many times smaller, then scaled up. */
const BLUR_DOWNSCALE = 8;
const BLUR_PX = 2;
/** How long the first mask may take (the wasm compile and model load on a slow machine). */
const READY_TIMEOUT_MS = 20_000;

type Ctx2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

interface TrackProcessorCtor {
  new (init: { track: MediaStreamTrack; maxBufferSize?: number }): { readable: ReadableStream<VideoFrame> };
}
interface TrackGeneratorCtor {
  new (init: { kind: 'video' }): MediaStreamTrack & { writable: WritableStream<VideoFrame> };
}

function ctx2d(c: HTMLCanvasElement | OffscreenCanvas): Ctx2D {
  const ctx = c.getContext('2d') as Ctx2D | null;
  if (!ctx) throw new Error('no 2D canvas');
  return ctx;
}

function makeCanvas(w: number, h: number, offscreen: boolean): HTMLCanvasElement | OffscreenCanvas {
  if (offscreen && typeof OffscreenCanvas !== 'undefined') return new OffscreenCanvas(w, h);
  const c = document.createElement('canvas');
  c.width = w;
  c.height = h;
  return c;
}

/** Whether this browser has the insertable-streams path (else the canvas path is used). */
export function hasTrackProcessor(): boolean {
  const g = globalThis as { MediaStreamTrackProcessor?: unknown; MediaStreamTrackGenerator?: unknown };
  return typeof g.MediaStreamTrackProcessor === 'function' && typeof g.MediaStreamTrackGenerator === 'function';
}

/**
 * Start processing `source`. Resolves once the model is loaded and has made a first mask, so the
 * caller can swap the track in without sending an unprocessed frame; rejects (and disposes) when
 * the model cannot run here.
 */
export async function startBackground(source: MediaStreamTrack, mode: EffectMode): Promise<ProcessedCamera> {
  if (source.kind !== 'video') throw new TypeError('startBackground: source must be a video track');
  const lease = await acquireSegmenter();
  try {
    return await Processor.start(source, mode, lease);
  } catch (err) {
    lease.release();
    throw err;
  }
}

class Processor implements ProcessedCamera {
  readonly mode: EffectMode;
  readonly source: MediaStreamTrack;
  readonly track: MediaStreamTrack;
  readonly #input: MediaStreamTrack;

  readonly #lease: SegmenterLease;
  readonly #pacer = new ModelPacer();
  readonly #path: ProcessorStats['path'];
  readonly #started = performance.now();
  #out: HTMLCanvasElement | OffscreenCanvas;
  #outCtx: Ctx2D;
  readonly #modelCanvas: HTMLCanvasElement;
  readonly #modelCtx: CanvasRenderingContext2D;
  readonly #mask: HTMLCanvasElement | OffscreenCanvas;
  readonly #maskCtx: Ctx2D;
  #blur: HTMLCanvasElement | OffscreenCanvas;
  #blurCtx: Ctx2D;
  #haveMask = false;
  #failed = false;
  #stopped = false;
  #failureListeners: ((err: unknown) => void)[] = [];
  #counts = { framesIn: 0, framesOut: 0, modelRuns: 0, modelMs: 0, compositeMs: 0 };
  #dispose: (() => void)[] = [];
  #firstMask: { resolve: () => void; reject: (e: unknown) => void } | null = null;

  static async start(source: MediaStreamTrack, mode: EffectMode, lease: SegmenterLease): Promise<Processor> {
    const p = new Processor(source, mode, lease);
    try {
      await p.#ready();
      return p;
    } catch (err) {
      p.stop();
      throw err;
    }
  }

  private constructor(source: MediaStreamTrack, mode: EffectMode, lease: SegmenterLease) {
    this.mode = mode;
    this.#lease = lease;
    this.#input = source.clone();
    this.source = this.#input;
    // The call turns the camera off on the output; the copy read here always runs.
    this.#input.enabled = true;
    const s = source.getSettings();
    const w = s.width ?? 640;
    const h = s.height ?? 480;
    const offscreen = hasTrackProcessor();
    this.#path = offscreen ? 'track-processor' : 'canvas';
    this.#out = makeCanvas(w, h, offscreen);
    this.#outCtx = ctx2d(this.#out);
    this.#blur = makeCanvas(
      Math.max(1, Math.round(w / BLUR_DOWNSCALE)),
      Math.max(1, Math.round(h / BLUR_DOWNSCALE)),
      offscreen,
    );
    this.#blurCtx = ctx2d(this.#blur);
    this.#modelCanvas = makeCanvas(MODEL_WIDTH, Math.round((MODEL_WIDTH * h) / w), false) as HTMLCanvasElement;
    this.#modelCtx = ctx2d(this.#modelCanvas) as CanvasRenderingContext2D;
    this.#mask = makeCanvas(this.#modelCanvas.width, this.#modelCanvas.height, offscreen);
    this.#maskCtx = ctx2d(this.#mask);
    this.track = offscreen ? this.#startTrackProcessor() : this.#startCanvas();
    // Whoever ends the output (the call replacing or closing it) ends the processor with it.
    const stopOutput = MediaStreamTrack.prototype.stop.bind(this.track);
    this.#dispose.push(stopOutput);
    Object.defineProperty(this.track, 'stop', { value: () => this.stop(), configurable: true });
  }

  #ready(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the model gave no answer in time')), READY_TIMEOUT_MS);
      const done = (): void => clearTimeout(timer);
      this.#firstMask = {
        resolve: () => (done(), resolve()),
        reject: (e) => (done(), reject(e)),
      };
    });
  }

  stats(): ProcessorStats {
    const c = this.#counts;
    return {
      path: this.#path,
      framesIn: c.framesIn,
      framesOut: c.framesOut,
      modelRuns: c.modelRuns,
      modelFps: this.#pacer.modelFps,
      modelMs: c.modelRuns ? c.modelMs / c.modelRuns : 0,
      compositeMs: c.framesOut ? c.compositeMs / c.framesOut : 0,
      seconds: (performance.now() - this.#started) / 1000,
    };
  }

  onFailure(listener: (err: unknown) => void): void {
    this.#failureListeners.push(listener);
  }

  handBack(): MediaStreamTrack {
    const raw = this.#input.clone();
    raw.enabled = true;
    return raw;
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#firstMask?.reject(new Error('stopped before the model was ready'));
    this.#firstMask = null;
    for (const d of this.#dispose.splice(0)) {
      try {
        d();
      } catch {
        // already closed
      }
    }
    this.#input.stop();
    this.#lease.release();
  }

  /** Chromium: frames in through MediaStreamTrackProcessor, out through a generator. */
  #startTrackProcessor(): MediaStreamTrack {
    const g = globalThis as unknown as {
      MediaStreamTrackProcessor: TrackProcessorCtor;
      MediaStreamTrackGenerator: TrackGeneratorCtor;
    };
    const reader = new g.MediaStreamTrackProcessor({ track: this.#input, maxBufferSize: 1 }).readable.getReader();
    const generator = new g.MediaStreamTrackGenerator({ kind: 'video' });
    const writer = generator.writable.getWriter();
    this.#dispose.push(
      () => void reader.cancel().catch(() => undefined),
      () => void writer.close().catch(() => undefined),
    );
    void (async () => {
      for (;;) {
        const { value: frame, done } = await reader.read().catch(() => ({ value: undefined, done: true as const }));
        if (done || !frame) return;
        try {
          if (this.#stopped) return;
          if (!this.#frame(frame, frame.displayWidth, frame.displayHeight, generator.enabled)) continue;
          const out = new VideoFrame(this.#out as OffscreenCanvas, { timestamp: frame.timestamp });
          // The writer takes the frame over (and closes it).
          await writer.write(out).catch(() => out.close());
          this.#counts.framesOut++;
        } finally {
          frame.close();
        }
      }
    })();
    return generator;
  }

  /** Elsewhere (Firefox): a hidden video read on each new frame, drawn into a captured canvas. */
  #startCanvas(): MediaStreamTrack {
    const video = document.createElement('video');
    video.muted = true;
    video.playsInline = true;
    video.srcObject = new MediaStream([this.#input]);
    const canvas = this.#out as HTMLCanvasElement;
    const output = canvas.captureStream().getVideoTracks()[0];
    if (!output) throw new Error('this browser cannot capture a canvas');
    let handle = 0;
    const hasRvfc = 'requestVideoFrameCallback' in HTMLVideoElement.prototype;
    const onFrame = (): void => {
      if (this.#stopped) return;
      if (video.videoWidth > 0 && this.#frame(video, video.videoWidth, video.videoHeight, output.enabled))
        this.#counts.framesOut++;
      schedule();
    };
    const schedule = (): void => {
      handle = hasRvfc ? video.requestVideoFrameCallback(onFrame) : window.setTimeout(onFrame, 1000 / 30);
    };
    schedule();
    void video.play().catch(() => undefined);
    this.#dispose.push(() => {
      if (hasRvfc) video.cancelVideoFrameCallback(handle);
      else window.clearTimeout(handle);
      video.srcObject = null;
    });
    return output;
  }

  /** One camera frame: maybe start the model on it, then composite. False when nothing was drawn. */
  #frame(frame: CanvasImageSource, w: number, h: number, wanted: boolean): boolean {
    this.#counts.framesIn++;
    // Camera off (the output disabled): send nothing new and leave the model idle.
    if (!wanted && this.#haveMask) return false;
    const now = performance.now();
    if (!this.#failed && this.#pacer.due(now)) this.#runModel(frame, now);
    if (!this.#haveMask) return false;
    const t0 = performance.now();
    this.#composite(frame, w, h);
    this.#counts.compositeMs += performance.now() - t0;
    return true;
  }

  #runModel(frame: CanvasImageSource, now: number): void {
    this.#pacer.started(now);
    const m = this.#modelCanvas;
    this.#modelCtx.drawImage(frame, 0, 0, m.width, m.height);
    this.#lease.segmenter.segment(m, this.#maskCtx).then(
      () => {
        const end = performance.now();
        this.#pacer.finished(now, end);
        this.#counts.modelRuns++;
        this.#counts.modelMs += end - now;
        this.#haveMask = true;
        this.#firstMask?.resolve();
        this.#firstMask = null;
      },
      (err: unknown) => {
        this.#pacer.finished(now, performance.now());
        if (this.#stopped) return;
        this.#fail(err);
      },
    );
  }

  #fail(err: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    if (this.#firstMask) {
      this.#firstMask.reject(err);
      this.#firstMask = null;
      return;
    }
    for (const l of this.#failureListeners) {
      try {
        l(err);
      } catch {
        // a listener's error is its own
      }
    }
  }

  #composite(frame: CanvasImageSource, w: number, h: number): void {
    if (this.#out.width !== w || this.#out.height !== h) {
      this.#out.width = w;
      this.#out.height = h;
      this.#blur.width = Math.max(1, Math.round(w / BLUR_DOWNSCALE));
      this.#blur.height = Math.max(1, Math.round(h / BLUR_DOWNSCALE));
    }
    const ctx = this.#outCtx;
    if (this.#failed) {
      // The model stopped working: the camera goes out as it is.
      ctx.globalCompositeOperation = 'copy';
      ctx.drawImage(frame, 0, 0, w, h);
      return;
    }
    ctx.globalCompositeOperation = 'copy';
    ctx.drawImage(this.#mask, 0, 0, w, h);
    ctx.globalCompositeOperation = 'source-in';
    ctx.drawImage(frame, 0, 0, w, h);
    ctx.globalCompositeOperation = 'destination-over';
    if (this.mode === 'blur') {
      const b = this.#blurCtx;
      b.filter = `blur(${BLUR_PX}px)`;
      b.drawImage(frame, 0, 0, this.#blur.width, this.#blur.height);
      ctx.imageSmoothingQuality = 'low';
      ctx.drawImage(this.#blur, 0, 0, w, h);
    } else {
      const { r, g, b } = BACKGROUND_COLOUR;
      ctx.fillStyle = `rgb(${r}, ${g}, ${b})`;
      ctx.fillRect(0, 0, w, h);
    }
    ctx.globalCompositeOperation = 'source-over';
  }
}
