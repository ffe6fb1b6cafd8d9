import { useCallback, useEffect, useRef, useState } from 'react';
import type { Call, RemoteView } from '../media/Call';
import { TileViews, devicePixels, viewKey, type Role } from './viewReports';

export type ViewRef = (el: HTMLElement | null) => void;

/**
 * One ResizeObserver for every reporting tile, and a stable ref callback per view key. The tiles'
 * elements are kept while disconnected, so that connecting (again, as StrictMode does) observes
 * them all.
 */
class TileObserver {
  #views: TileViews | null = null;
  #observer: ResizeObserver | null = null;
  readonly #keys = new WeakMap<Element, string>();
  readonly #elements = new Map<string, HTMLElement>();
  readonly #refs = new Map<string, ViewRef>();

  connect(views: TileViews): void {
    this.disconnect();
    this.#views = views;
    if (typeof ResizeObserver === 'undefined') {
      for (const [key, el] of this.#elements) this.#measure(key, el);
      return;
    }
    this.#observer = new ResizeObserver((entries) => {
      for (const e of entries) {
        const key = this.#keys.get(e.target);
        if (key === undefined) continue;
        views.setSize(key, devicePixels(e.contentRect.width, e.contentRect.height, window.devicePixelRatio));
      }
    });
    for (const el of this.#elements.values()) this.#observer.observe(el);
  }

  disconnect(): void {
    this.#observer?.disconnect();
    this.#observer = null;
    this.#views = null;
  }

  ref(role: Role, participantId: string): ViewRef {
    const key = viewKey(role, participantId);
    let ref = this.#refs.get(key);
    if (!ref) {
      ref = (el) => this.#attach(key, el);
      this.#refs.set(key, ref);
    }
    return ref;
  }

  #attach(key: string, el: HTMLElement | null): void {
    const prev = this.#elements.get(key);
    if (prev === el) return;
    if (prev) {
      this.#observer?.unobserve(prev);
      this.#keys.delete(prev);
      this.#elements.delete(key);
    }
    if (el) {
      this.#elements.set(key, el);
      this.#keys.set(el, key);
      if (this.#observer) this.#observer.observe(el);
      else this.#measure(key, el);
    } else {
      this.#views?.setSize(key, null);
    }
  }

  #measure(key: string, el: HTMLElement): void {
    this.#views?.setSize(key, devicePixels(el.clientWidth, el.clientHeight, window.devicePixelRatio));
  }
}

/**
 * Tells the call how large each remote camera and screen tile is (`Call.setView`, in device
 * pixels), and null for tiles not rendered, cameras that are off and while the page is hidden.
 * Returns the ref to put on each tile.
 */
export function useTileViews(
  call: Call | null,
  remotes: readonly RemoteView[],
  screens: readonly string[],
): (role: Role, participantId: string) => ViewRef {
  const [observer] = useState(() => new TileObserver());
  const views = useRef<TileViews | null>(null);
  const participants = useRef<Parameters<TileViews['setParticipants']>>([[], []]);

  useEffect(() => {
    if (!call) return;
    const v = new TileViews((id, role, size) => call.setView(id, role, size));
    v.setParticipants(...participants.current);
    const onVisibility = (): void => v.setHidden(document.visibilityState === 'hidden');
    onVisibility();
    document.addEventListener('visibilitychange', onVisibility);
    observer.connect(v);
    views.current = v;
    return () => {
      document.removeEventListener('visibilitychange', onVisibility);
      observer.disconnect();
      v.close();
      views.current = null;
    };
  }, [call, observer]);

  const remotesKey = remotes.map((r) => `${r.participant.id}:${r.participant.media.video ? 1 : 0}`).join(',');
  const screensKey = screens.join(',');
  useEffect(() => {
    participants.current = [
      remotes.map((r) => ({ id: r.participant.id, videoOn: r.participant.media.video })),
      [...new Set(screens)],
    ];
    views.current?.setParticipants(...participants.current);
    // The keys stand for the lists: only who is there and whose camera is on matter.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [remotesKey, screensKey]);

  return useCallback((role: Role, participantId: string) => observer.ref(role, participantId), [observer]);
}
