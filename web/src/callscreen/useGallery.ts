import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { arrangeGrid, arrangeSpeaker, pageMembers, pageShape, type Arrangement, type PageShape } from './gallery';
import { PinKeeper } from './speakerPin';

/** The page shape for the window, updated when a resize crosses a threshold. */
export function useWindowShape(): PageShape {
  const [shape, setShape] = useState(() => pageShape(window.innerWidth, window.innerHeight));
  useEffect(() => {
    const onResize = (): void => {
      const next = pageShape(window.innerWidth, window.innerHeight);
      setShape((cur) =>
        cur.cols === next.cols && cur.rows === next.rows && cur.stripPerPage === next.stripPerPage ? cur : next,
      );
    };
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, []);
  return shape;
}

export interface GalleryInput {
  layout: 'grid' | 'speaker';
  selfId: string;
  /** The others, in the order they joined. */
  remoteIds: readonly string[];
  /** The active speaker (the server's, else the local detection), or null. */
  speaker: string | null;
  /** The speaker layout's large tile. */
  featured: string | null;
}

export interface Gallery extends Arrangement {
  shape: PageShape;
  /** Go to a page (0-based; clamped). */
  goTo(page: number): void;
}

/**
 * The tiles on screen: which page of the grid (or of the speaker layout's strip) is shown, with
 * the active speaker pinned onto it when their own place is on another page.
 */
export function useGallery({ layout, selfId, remoteIds, speaker, featured }: GalleryInput): Gallery {
  const shape = useWindowShape();
  // Each layout starts at its first page.
  const [at, setAt] = useState({ layout, page: 0 });
  const page = at.layout === layout ? at.page : 0;
  const [keeper] = useState(() => new PinKeeper());
  const pinned = useSyncExternalStore(keeper.subscribe, () => keeper.id);
  // The ids as one string, so that effects follow the people rather than the array's identity.
  const idsKey = remoteIds.join('\n');
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const ids = useMemo(() => remoteIds, [idsKey]);

  const membersKey = layout === 'grid' ? pageMembers(ids, page, shape.perPage).join('\n') : '';
  useEffect(() => {
    const onPage = new Set(membersKey === '' ? [] : membersKey.split('\n'));
    // Outside the grid nobody is pinned: the speaker layout features the speaker.
    keeper.update({
      speaker: layout === 'grid' ? speaker : null,
      present: new Set(layout === 'grid' ? ids : []),
      onPage,
    });
  }, [keeper, layout, speaker, ids, membersKey]);

  const arrangement = useMemo(
    () =>
      layout === 'grid'
        ? arrangeGrid({ selfId, remoteIds: ids, page, perPage: shape.perPage, pinned })
        : arrangeSpeaker({ selfId, remoteIds: ids, featured: featured ?? selfId, page, perPage: shape.stripPerPage }),
    [layout, selfId, ids, page, shape.perPage, shape.stripPerPage, pinned, featured],
  );
  // People left and the page went away: stay on the last page there is (adjusted while
  // rendering, so the page shown and the page kept never disagree).
  if (arrangement.page !== page) setAt({ layout, page: arrangement.page });

  const { pageCount } = arrangement;
  const goTo = useCallback(
    (p: number) => setAt({ layout, page: Math.min(pageCount - 1, Math.max(0, p)) }),
    [layout, pageCount],
  );
  return { ...arrangement, shape, goTo };
}
