import { RECORDING_ACTIONS_PER_MINUTE, type Recorder, type RecordingState } from '@parley/protocol';
import { WindowCounter } from '../limits/WindowCounter';

/** A room's recording state as written to the room's snapshot (several servers). */
export interface RecordingSnapshot {
  hostOnly: boolean;
  recorders: Recorder[];
}

/**
 * Who records one room's call, and whether only its host may. Owned by the `Room` (like its chat
 * log) and gone with it. Recording happens in the recorder's browser: this is the announcement
 * everyone sees, kept while the recorder is in the room.
 */
export class RoomRecording {
  hostOnly = false;
  readonly #recorders = new Map<string, Recorder>();
  /** Starts and stops per participant in the current minute. */
  readonly #actions: WindowCounter;

  constructor(
    actionsPerMinute = RECORDING_ACTIONS_PER_MINUTE,
    readonly now: () => number = Date.now,
  ) {
    this.#actions = new WindowCounter(actionsPerMinute, now);
  }

  get active(): boolean {
    return this.#recorders.size > 0;
  }

  isRecording(id: string): boolean {
    return this.#recorders.has(id);
  }

  /** One start or stop by `id`; false when it is over its limit for this minute. */
  allow(id: string): boolean {
    return this.#actions.take(id);
  }

  /** `id` records from now on; returns false when it already did (nothing changed). */
  start(id: string, name: string): boolean {
    if (this.#recorders.has(id)) return false;
    this.#recorders.set(id, { id, name, since: this.now() });
    return true;
  }

  /** `id` stopped (or left); returns false when it was not recording. */
  stop(id: string): boolean {
    return this.#recorders.delete(id);
  }

  /** End every recording except those `keep` says may go on; returns true when any ended. */
  stopAllBut(keep: (id: string) => boolean): boolean {
    let changed = false;
    for (const id of [...this.#recorders.keys()]) if (!keep(id)) changed = this.#recorders.delete(id) || changed;
    return changed;
  }

  state(): RecordingState {
    return { hostOnly: this.hostOnly, recorders: [...this.#recorders.values()].map((r) => ({ ...r })) };
  }

  toJSON(): RecordingSnapshot {
    return this.state();
  }

  /** Start from a snapshot another server wrote; malformed entries are skipped. */
  restore(s: Partial<RecordingSnapshot> | null | undefined): void {
    if (!s || typeof s !== 'object') return;
    this.hostOnly = s.hostOnly === true;
    if (!Array.isArray(s.recorders)) return;
    for (const r of s.recorders as unknown[]) {
      const rec = r as Partial<Recorder> | null;
      if (!rec || typeof rec.id !== 'string' || typeof rec.name !== 'string' || typeof rec.since !== 'number') continue;
      if (!this.#recorders.has(rec.id)) this.#recorders.set(rec.id, { id: rec.id, name: rec.name, since: rec.since });
    }
  }
}
