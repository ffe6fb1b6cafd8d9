/**
 * The page's background effect: the chosen mode, where it stands (effectState.ts), and the
 * swap of the camera track for a processed one. Lives outside React (one per page: one camera),
 * so the pre-join screen and the call share it and the choice survives the hand-over.
 *
 * The processor and the model are loaded on first use (`import('./processor')`): nothing of
 * them is in the home page's scripts.
 */
import { initialEffectState, nextEffectState, reasonOf, type EffectEvent, type EffectState } from './effectState';
import type { BackgroundMode } from './mode';
import type { EffectMode, ProcessedCamera } from './processor';

export type StartProcessor = (source: MediaStreamTrack, mode: EffectMode) => Promise<ProcessedCamera>;

/** Where the camera track goes: the call (replaceTrack on every connection) or the preview. */
export interface CameraTarget {
  /** The video track sent / shown now, if any. */
  current(): MediaStreamTrack | undefined;
  /** Put `track` in place of the current one; the old one is stopped by the target. */
  replace(track: MediaStreamTrack): Promise<void>;
}

const loadProcessor: StartProcessor = async (source, mode) =>
  (await import('./processor')).startBackground(source, mode);

/** Processed output tracks -> their processor (to find the camera behind a sent track). */
const processors = new WeakMap<MediaStreamTrack, ProcessedCamera>();

/** The camera behind `track` (itself when it is not a processed track). */
export function sourceOf(track: MediaStreamTrack): MediaStreamTrack {
  return processors.get(track)?.source ?? track;
}

export function processorOf(track: MediaStreamTrack | undefined): ProcessedCamera | undefined {
  return track ? processors.get(track) : undefined;
}

/**
 * Whether a call's camera should be put through the effect now: an effect is chosen, the track
 * sent is not processed with it, nothing is loading, and it has not failed (a failure waits for the
 * person to choose again). Covers a call that took the camera before the preview's processor
 * was ready (Join pressed while the model loaded).
 */
export function shouldApply(
  mode: BackgroundMode,
  state: EffectState,
  busy: boolean,
  sentMode: EffectMode | undefined,
): boolean {
  return mode !== 'none' && sentMode !== mode && !busy && state.phase !== 'failed';
}

export class BackgroundEffect {
  #mode: BackgroundMode;
  #busy = 0;
  #state: EffectState = initialEffectState;
  #listeners = new Set<() => void>();
  #generation = 0;
  readonly #start: StartProcessor;

  constructor(mode: BackgroundMode = 'none', start: StartProcessor = loadProcessor) {
    this.#mode = mode;
    this.#start = start;
    if (mode !== 'none') this.#state = { phase: 'starting', mode };
  }

  get mode(): BackgroundMode {
    return this.#mode;
  }

  get state(): EffectState {
    return this.#state;
  }

  /** A choice or a new camera is being processed (the model may be loading). */
  get busy(): boolean {
    return this.#busy > 0;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  getState = (): EffectState => this.#state;

  #dispatch(event: EffectEvent): void {
    const next = nextEffectState(this.#state, event);
    if (next === this.#state) return;
    this.#state = next;
    for (const l of [...this.#listeners]) {
      try {
        l();
      } catch {
        // a listener's error is its own
      }
    }
  }

  /**
   * Choose a mode and apply it to `target`'s camera. The camera keeps going out unprocessed
   * until the processed track is ready; on failure it stays (or goes back to) unprocessed and the
   * state carries a note. A later choice wins over one still loading.
   */
  async choose(mode: BackgroundMode, target: CameraTarget): Promise<void> {
    this.#busy++;
    try {
      await this.#choose(mode, target);
    } finally {
      this.#busy--;
    }
  }

  async #choose(mode: BackgroundMode, target: CameraTarget): Promise<void> {
    this.#mode = mode;
    const generation = ++this.#generation;
    this.#dispatch({ type: 'choose', mode });
    const current = target.current();
    // No camera now: the mode applies to the next one (`wrap`).
    if (!current) return;
    const old = processors.get(current);
    const raw = old?.source ?? current;
    if (mode === 'none') {
      if (old) await target.replace(old.handBack());
      return;
    }
    if (old?.mode === mode && old.track.readyState === 'live') {
      this.#dispatch({ type: 'ready', mode });
      return;
    }
    let next: ProcessedCamera;
    try {
      next = await this.#start(raw, mode);
    } catch (err) {
      this.#dispatch({ type: 'failed', mode, reason: reasonOf(err) });
      if (old && generation === this.#generation) await target.replace(old.handBack());
      return;
    }
    if (generation !== this.#generation || target.current() !== current) {
      // Another choice (or another camera) came meanwhile: this one is not wanted.
      next.stop();
      return;
    }
    this.#track(next);
    await target.replace(next.track);
    this.#dispatch({ type: 'ready', mode });
  }

  /**
   * A new camera track (device switch, or the preview's first): the track to use for it,
   * processed with the chosen mode. Never throws: a failure gives the raw track and a note.
   * It takes `raw` over: when a processed track comes back, `raw` is stopped (the processor
   * reads its own copy); otherwise `raw` itself comes back.
   */
  async wrap(raw: MediaStreamTrack): Promise<MediaStreamTrack> {
    this.#busy++;
    try {
      return await this.#wrap(raw);
    } finally {
      this.#busy--;
    }
  }

  async #wrap(raw: MediaStreamTrack): Promise<MediaStreamTrack> {
    const mode = this.#mode;
    if (mode === 'none' || raw.kind !== 'video') return raw;
    const generation = this.#generation;
    try {
      const next = await this.#start(raw, mode);
      if (generation !== this.#generation) {
        // The mode changed while this loaded: hand the camera back as it is.
        next.stop();
        return raw;
      }
      this.#track(next);
      raw.stop();
      this.#dispatch({ type: 'ready', mode });
      return next.track;
    } catch (err) {
      this.#dispatch({ type: 'failed', mode, reason: reasonOf(err) });
      return raw;
    }
  }

  #track(p: ProcessedCamera): void {
    processors.set(p.track, p);
    // Diagnostics (and tests): the latest processor, with its frame figures.
    (globalThis as { __parleyBackground?: ProcessedCamera }).__parleyBackground = p;
    p.onFailure((err) => this.#dispatch({ type: 'failed', mode: p.mode, reason: reasonOf(err) }));
  }
}

let page: BackgroundEffect | null = null;

/** The page's one effect, starting from the remembered mode. */
export function pageBackground(initial: () => BackgroundMode): BackgroundEffect {
  page ??= new BackgroundEffect(initial());
  return page;
}
