import { useCallback, useEffect, useRef, useState, type CSSProperties } from 'react';
import { TILE_GAP, dominantRatio, fitTiles, sameRatio } from './tileFit';

export interface Size {
  width: number;
  height: number;
}

/**
 * The size of an element in CSS px (its border box), kept current with a ResizeObserver; null
 * until it is measured. Returns a stable ref callback for the element.
 */
export function useElementSize(): [(el: HTMLElement | null) => void, Size | null] {
  const [size, setSize] = useState<Size | null>(null);
  const observer = useRef<ResizeObserver | null>(null);
  const ref = useCallback((el: HTMLElement | null) => {
    observer.current?.disconnect();
    observer.current = null;
    if (!el) return;
    const set = (width: number, height: number): void =>
      setSize((cur) => (cur && cur.width === width && cur.height === height ? cur : { width, height }));
    const r = el.getBoundingClientRect();
    set(r.width, r.height);
    if (typeof ResizeObserver === 'undefined') return;
    observer.current = new ResizeObserver((entries) => {
      const box = entries[0]?.borderBoxSize?.[0];
      if (box) set(box.inlineSize, box.blockSize);
      else {
        const b = el.getBoundingClientRect();
        set(b.width, b.height);
      }
    });
    observer.current.observe(el);
  }, []);
  useEffect(() => () => observer.current?.disconnect(), []);
  return [ref, size];
}

/**
 * Each tile's video ratio (videoWidth / videoHeight) as its tile reports it, and a stable report
 * callback per participant (null: no picture, e.g. the camera is off).
 */
export function useVideoRatios(): {
  ratios: ReadonlyMap<string, number>;
  report: (id: string) => (ratio: number | null) => void;
} {
  const [ratios, setRatios] = useState<ReadonlyMap<string, number>>(() => new Map());
  const callbacks = useRef(new Map<string, (ratio: number | null) => void>());
  const report = useCallback((id: string) => {
    let cb = callbacks.current.get(id);
    if (!cb) {
      cb = (ratio) =>
        setRatios((cur) => {
          if ((ratio === null && !cur.has(id)) || (ratio !== null && cur.get(id) === ratio)) return cur;
          const next = new Map(cur);
          if (ratio === null) next.delete(id);
          else next.set(id, ratio);
          return next;
        });
      callbacks.current.set(id, cb);
    }
    return cb;
  }, []);
  return { ratios, report };
}

export interface GridFit {
  /** Tiles' aspect ratio: the dominant one of the videos on the page, else 16:9. */
  ratio: number;
  /** Inline style for the grid: the ratio, and the tile size once the stage is measured. */
  style: CSSProperties;
  /** Whether the tiles are sized here (the grid view with its stage measured). */
  fitted: boolean;
  /** How a tile's video fills it: whole (contain) when its shape is not the tile's. */
  fitOf(id: string): 'cover' | 'contain';
}

/**
 * The grid view's tiles as large as the stage allows at the videos' ratio (see tileFit.ts).
 * `size` is the grid element's measured size; `sized` false leaves the tiles to the CSS (the
 * speaker view, the strip under a shared screen).
 */
export function gridFit(
  ids: readonly string[],
  ratios: ReadonlyMap<string, number>,
  size: Size | null,
  sized: boolean,
): GridFit {
  const shown = ids.flatMap((id) => {
    const r = ratios.get(id);
    return r === undefined ? [] : [r];
  });
  const ratio = dominantRatio(shown);
  const style: Record<string, string | number> = { '--tile-ratio': ratio.toFixed(4) };
  const fit = sized && size && ids.length > 0 ? fitTiles(ids.length, size.width, size.height, ratio) : null;
  const fitted = fit !== null && fit.width > 0;
  if (fitted) {
    style['--tile-w'] = `${fit.width}px`;
    style['--tile-h'] = `${fit.height}px`;
    style['--row-w'] = `${fit.cols * fit.width + (fit.cols - 1) * TILE_GAP}px`;
  }
  return {
    ratio,
    style: style as CSSProperties,
    fitted,
    fitOf: (id) => {
      const r = ratios.get(id);
      return r === undefined || sameRatio(r, ratio) ? 'cover' : 'contain';
    },
  };
}
