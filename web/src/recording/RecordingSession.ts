import type { RecordingState } from '@parley/protocol';
import { Emitter } from '../emitter';
import type { FileSink, SavedFile } from '../files/sinks';
import { ChunkWriter, RECORDING_PENDING_MAX_BYTES, type ChunkLike } from './ChunkWriter';

/** MediaRecorder hands out a chunk this often, and each is written out at once. */
export const RECORDING_TIMESLICE_MS = 1_000;

/**
 * `starting`: asking where to save and whether the server agrees; `recording`: the recorder
 * runs; `stopping`: the last chunk is written and the file finished; `saved`: done;
 * `refused`: the server said no (nothing was recorded); `failed`: writing or capturing failed.
 */
export type RecordingPhase = 'idle' | 'starting' | 'recording' | 'stopping' | 'saved' | 'refused' | 'failed';

export interface RecordingView {
  phase: RecordingPhase;
  /** When recording started (milliseconds since the epoch), while recording or stopping. */
  startedAt: number | null;
  /** Where the finished file went (saved). */
  saved: SavedFile | null;
  /** Why it was refused or failed, or why it stopped on its own, as a sentence. */
  message: string | null;
  /** Bytes written so far. */
  written: number;
}

/** The parts of MediaRecorder used. */
export interface RecorderLike {
  readonly state: 'inactive' | 'recording' | 'paused';
  ondataavailable: ((e: { data: ChunkLike }) => void) | null;
  onstop: (() => void) | null;
  onerror: ((e: unknown) => void) | null;
  start(timeslice: number): void;
  stop(): void;
}

/** The composed call: one video and one audio track, and how to let go of what made them. */
export interface Capture<S = unknown> {
  stream: S;
  stop(): void;
}

export interface RecordingDeps<S = unknown> {
  /** Ask the server to announce the recording; rejects with the refusal (its message is shown). */
  announce(): Promise<void>;
  /** Tell the server the recording stopped (best effort). */
  unannounce(): Promise<void>;
  /**
   * Open where the file goes. Null: the person cancelled the save picker. With `pickFirst` it
   * runs before the server is asked (the picker needs the click), else after it agreed.
   */
  openSink(): Promise<FileSink | null>;
  pickFirst: boolean;
  /** Compose the call (canvas + mixed voices). */
  capture(): Capture<S>;
  makeRecorder(stream: S): RecorderLike;
  now?: () => number;
  maxPending?: number;
}

export interface RecordingSessionEvents {
  change: () => void;
}

/**
 * One person's recording of the call: start (where to save, then the server's yes, then the
 * recorder) → recording → stopping → saved, or refused / failed. Only runs once the server
 * accepted the start, so the others always see the badge before anything is recorded. Plain
 * TypeScript with its browser parts handed in, so the steps are unit-tested with fakes.
 */
export class RecordingSession<S = unknown> extends Emitter<RecordingSessionEvents> {
  readonly #deps: RecordingDeps<S>;
  #view: RecordingView = { phase: 'idle', startedAt: null, saved: null, message: null, written: 0 };
  #recorder: RecorderLike | null = null;
  #capture: Capture<S> | null = null;
  #writer: ChunkWriter | null = null;
  #stopRequested: string | null = null;
  #progress: ReturnType<typeof setInterval> | null = null;

  constructor(deps: RecordingDeps<S>) {
    super();
    this.#deps = deps;
  }

  get view(): RecordingView {
    return this.#view;
  }

  get busy(): boolean {
    const p = this.#view.phase;
    return p === 'starting' || p === 'recording' || p === 'stopping';
  }

  #set(patch: Partial<RecordingView>): void {
    this.#view = { ...this.#view, ...patch };
    this.emit('change');
  }

  /** Start recording (call from the click that confirmed it: the save picker may open). */
  async start(): Promise<void> {
    if (this.busy) return;
    this.#stopRequested = null;
    this.#set({ phase: 'starting', startedAt: null, saved: null, message: null, written: 0 });
    let sink: FileSink | null = null;
    try {
      if (this.#deps.pickFirst) {
        sink = await this.#deps.openSink();
        if (!sink) return this.#set({ phase: 'idle' });
      }
      try {
        await this.#deps.announce();
      } catch (err) {
        await sink?.abort().catch(() => undefined);
        return this.#set({ phase: 'refused', message: messageOf(err) });
      }
      if (!sink) {
        sink = await this.#deps.openSink().catch(async (err: unknown) => {
          await this.#deps.unannounce().catch(() => undefined);
          throw err;
        });
        if (!sink) {
          await this.#deps.unannounce().catch(() => undefined);
          return this.#set({ phase: 'idle' });
        }
      }
      if (this.#stopRequested !== null) {
        // Stopped (or ended by the server) while starting: nothing was recorded.
        await this.#deps.unannounce().catch(() => undefined);
        await sink.abort().catch(() => undefined);
        return this.#set({ phase: 'idle', message: this.#stopRequested || null });
      }
      this.#begin(sink);
    } catch (err) {
      await sink?.abort().catch(() => undefined);
      this.#cleanup();
      this.#set({ phase: 'failed', message: `The recording could not start: ${messageOf(err)}` });
    }
  }

  #begin(sink: FileSink): void {
    const writer = new ChunkWriter(sink, this.#deps.maxPending ?? RECORDING_PENDING_MAX_BYTES);
    this.#writer = writer;
    writer.onError = (err) => void this.stop(`The recording stopped: ${messageOf(err)}`);
    const capture = this.#deps.capture();
    this.#capture = capture;
    const recorder = this.#deps.makeRecorder(capture.stream);
    this.#recorder = recorder;
    recorder.ondataavailable = (e) => {
      if (!writer.failed && e.data.size > 0) writer.push(e.data);
    };
    recorder.onerror = (e) => void this.stop(`The recording stopped: ${messageOf(e)}`);
    recorder.start(RECORDING_TIMESLICE_MS);
    this.#progress = setInterval(() => this.#set({ written: writer.written }), RECORDING_TIMESLICE_MS);
    this.#set({ phase: 'recording', startedAt: (this.#deps.now ?? Date.now)() });
  }

  /**
   * Stop and finish the file. `reason` (optional) says why it stopped on its own (the host
   * allowed recording to the host only, the disk could not keep up).
   */
  async stop(reason?: string): Promise<void> {
    const phase = this.#view.phase;
    if (phase === 'starting') {
      this.#stopRequested = reason ?? '';
      return;
    }
    if (phase !== 'recording') return;
    this.#set({ phase: 'stopping', ...(reason ? { message: reason } : {}) });
    const recorder = this.#recorder;
    const writer = this.#writer;
    // The recorder hands out its last chunk before `stop` fires.
    if (recorder && recorder.state !== 'inactive') {
      await new Promise<void>((resolve) => {
        recorder.onstop = () => resolve();
        try {
          recorder.stop();
        } catch {
          resolve();
        }
      });
    }
    this.#cleanup();
    void this.#deps.unannounce().catch(() => undefined);
    if (!writer) return this.#set({ phase: 'failed', message: reason ?? 'The recording was lost.' });
    try {
      const saved = await writer.finish();
      this.#set({ phase: 'saved', saved, written: writer.written, startedAt: null });
    } catch (err) {
      // What was written stays where it was written only if the sink finished: a failed one
      // is dropped so that no broken file is left behind.
      await writer.abort().catch(() => undefined);
      this.#set({ phase: 'failed', message: reason ?? `The recording could not be saved: ${messageOf(err)}` });
    }
  }

  /**
   * What the server says about who records. Missing from it while recording: after a rejoin
   * (`join`: the server restarted and forgot) announce again, and stop if that is refused;
   * otherwise (`update`: the host turned recording to host only) stop and save.
   */
  serverState(state: RecordingState, source: 'join' | 'update', selfId: string | null): void {
    if (!selfId || this.#view.phase !== 'recording') return;
    if (state.recorders.some((r) => r.id === selfId)) return;
    if (source === 'join') {
      this.#deps.announce().catch((err: unknown) => void this.stop(`The recording stopped: ${messageOf(err)}`));
      return;
    }
    void this.stop(
      state.hostOnly ? 'The host allowed recording to the host only; your recording stopped and was saved.' : undefined,
    );
  }

  /** The call ended: stop and save what was recorded. */
  dispose(): Promise<void> {
    return this.stop();
  }

  #cleanup(): void {
    if (this.#progress) clearInterval(this.#progress);
    this.#progress = null;
    this.#capture?.stop();
    this.#capture = null;
    this.#recorder = null;
  }
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  const e = err as { error?: { message?: string } } | null;
  if (e && typeof e === 'object' && e.error?.message) return e.error.message;
  return String(err);
}
