import { useCallback, useRef } from 'react';

/**
 * A callback ref for the call controls that keeps `--controls-height` on the page's root at the
 * bar's height, so side panels end above the controls however many rows they wrap onto (a
 * fixed guess left the first row of a wrapped bar under the panel, where it could not be clicked).
 */
export function useControlsHeight(): (el: HTMLElement | null) => void {
  const observer = useRef<ResizeObserver | null>(null);
  return useCallback((el: HTMLElement | null) => {
    observer.current?.disconnect();
    observer.current = null;
    const root = document.documentElement;
    if (!el) {
      root.style.removeProperty('--controls-height');
      return;
    }
    const set = (): void => root.style.setProperty('--controls-height', `${el.offsetHeight}px`);
    set();
    if (typeof ResizeObserver === 'undefined') return;
    observer.current = new ResizeObserver(set);
    observer.current.observe(el);
  }, []);
}
