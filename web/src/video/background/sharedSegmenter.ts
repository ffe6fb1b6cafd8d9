import { createSegmenter, type Segmenter } from './segmenter';

/**
 * One model instance for the page, shared by the processors that run at the same moment (a new
 * one starts before the old one stops when the camera or the mode changes) and closed when the
 * last lets go. Loading the model costs a wasm compile: sharing it makes a switch quick.
 */
export interface SegmenterLease {
  readonly segmenter: Segmenter;
  /** Let go (idempotent); the model closes when nobody holds it. */
  release(): void;
}

let shared: { model: Promise<Segmenter>; users: number } | null = null;

export async function acquireSegmenter(): Promise<SegmenterLease> {
  if (!shared) {
    const entry = { model: createSegmenter(), users: 0 };
    shared = entry;
    entry.model.catch(() => {
      if (shared === entry) shared = null;
    });
  }
  const entry = shared;
  entry.users++;
  let segmenter: Segmenter;
  try {
    segmenter = await entry.model;
  } catch (err) {
    entry.users--;
    throw err;
  }
  let released = false;
  return {
    segmenter,
    release() {
      if (released) return;
      released = true;
      entry.users--;
      if (entry.users === 0 && shared === entry) {
        shared = null;
        void segmenter.close().catch(() => undefined);
      }
    },
  };
}
