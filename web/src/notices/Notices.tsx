import './notices.css';
import { useEffect, useId, useState, type CSSProperties, type KeyboardEvent } from 'react';
import { useEmitterValue } from '../hooks/useEmitterValue';
import type { Notice, NoticeStore } from './NoticeStore';

const none: readonly Notice[] = [];

interface Place {
  /** CSS px from the bottom of the window to the top of the call controls. */
  below: number;
  /** Centre and width of the stage the notices sit over, or null for the whole window. */
  centre: number | null;
  width: number | null;
}

/**
 * Where the notices go: just above the call controls (they wrap on narrow screens and stick to
 * the bottom of a long page), so they never cover Leave or Mute, and centred over the stage, so
 * they never cover the buttons of an open side panel (a file offer's Accept in the Files panel,
 * say). The controls' distance is also published as the CSS variable `--controls-space`, so the
 * side panel ends above the controls however many lines they take.
 */
function usePlace(controls: string, stage: string): Place {
  const [place, setPlace] = useState<Place>({ below: 0, centre: null, width: null });
  useEffect(() => {
    const el = document.querySelector(controls);
    const stageEl = document.querySelector(stage);
    if (!el && !stageEl) return;
    const root = document.documentElement;
    const measure = (): void => {
      const below = el ? Math.max(0, window.innerHeight - el.getBoundingClientRect().top) : 0;
      if (el) root.style.setProperty('--controls-space', `${below}px`);
      const r = stageEl?.getBoundingClientRect();
      // A stage narrower than a notice (a phone, where an open panel takes the stage's place)
      // leaves the notices centred in the window.
      const usable = r !== undefined && r.width >= 240;
      const next: Place = {
        below,
        centre: usable ? Math.round(r.left + r.width / 2) : null,
        width: usable ? Math.round(r.width) : null,
      };
      setPlace((p) => (p.below === next.below && p.centre === next.centre && p.width === next.width ? p : next));
    };
    measure();
    const ro = new ResizeObserver(measure);
    if (el) ro.observe(el);
    if (stageEl) ro.observe(stageEl);
    ro.observe(document.body);
    window.addEventListener('resize', measure);
    window.addEventListener('scroll', measure, { passive: true });
    return () => {
      ro.disconnect();
      window.removeEventListener('resize', measure);
      window.removeEventListener('scroll', measure);
      if (el) root.style.removeProperty('--controls-space');
    };
  }, [controls, stage]);
  return place;
}

/**
 * The notices of `store`, stacked above the call controls. The list is a polite live region, so
 * each new notice is read out; every action is a button; Escape or Dismiss takes a notice away.
 */
export function Notices({
  store,
  above = 'nav.controls',
  over = '.stage-area',
}: {
  store: NoticeStore;
  above?: string;
  over?: string;
}) {
  const list = useEmitterValue(store, (s) => s.list, none);
  const place = usePlace(above, over);
  const style: CSSProperties = { bottom: `calc(${place.below}px + 0.5rem)` };
  if (place.centre !== null && place.width !== null) {
    style.left = `${place.centre}px`;
    style.width = `min(32rem, ${place.width - 16}px)`;
  }
  return (
    <div className="notices" style={style}>
      <div className="notices-list" aria-live="polite" data-testid="notices">
        {list.map((n) => (
          <NoticeItem key={n.id} notice={n} store={store} />
        ))}
      </div>
    </div>
  );
}

function NoticeItem({ notice, store }: { notice: Notice; store: NoticeStore }) {
  const textId = useId();
  const onKeyDown = (e: KeyboardEvent): void => {
    if (e.key !== 'Escape') return;
    e.stopPropagation();
    store.dismiss(notice.id);
  };
  return (
    <div
      className="notice-item"
      role="group"
      aria-labelledby={textId}
      data-notice={notice.id}
      onKeyDown={onKeyDown}
      onMouseEnter={() => store.hold(notice.id)}
      onMouseLeave={() => store.release(notice.id)}
      onFocus={() => store.hold(notice.id)}
      onBlur={(e) => {
        // Focus moving between the notice's own buttons keeps it held.
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) store.release(notice.id);
      }}
    >
      <span id={textId} className="notice-text">
        {notice.text}
      </span>
      <span className="notice-actions">
        {notice.actions.map((a) => (
          <button key={a.label} type="button" onClick={() => store.act(notice.id, a.label)}>
            {a.label}
          </button>
        ))}
        <button type="button" className="notice-close" onClick={() => store.dismiss(notice.id)}>
          <span aria-hidden="true">×</span>
          <span className="sr-only">Dismiss</span>
        </button>
      </span>
    </div>
  );
}
