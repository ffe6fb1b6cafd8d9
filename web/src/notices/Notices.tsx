import './notices.css';
import { useEffect, useId, useState, type KeyboardEvent } from 'react';
import { useEmitterValue } from '../hooks/useEmitterValue';
import type { Notice, NoticeStore } from './NoticeStore';

const none: readonly Notice[] = [];

/**
 * How far from the bottom of the window the call controls begin (they wrap on narrow screens and
 * stick to the bottom of a long page), so the notices sit just above them and never cover Leave
 * or Mute. Also published as the CSS variable `--controls-space`, so the side panel ends above
 * the controls however many lines they take.
 */
function useSpaceBelow(selector: string): number {
  const [space, setSpace] = useState(0);
  useEffect(() => {
    const el = document.querySelector(selector);
    if (!el) return;
    const root = document.documentElement;
    const measure = (): void => {
      const px = Math.max(0, window.innerHeight - el.getBoundingClientRect().top);
      root.style.setProperty('--controls-space', `${px}px`);
      setSpace(px);
    };
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    ro.observe(document.body);
    window.addEventListener('resize', measure);
    window.addEventListener('scroll', measure, { passive: true });
    return () => {
      ro.disconnect();
      window.removeEventListener('resize', measure);
      window.removeEventListener('scroll', measure);
      root.style.removeProperty('--controls-space');
    };
  }, [selector]);
  return space;
}

/**
 * The notices of `store`, stacked above the call controls. The list is a polite live region, so
 * each new notice is read out; every action is a button; Escape or Dismiss takes a notice away.
 */
export function Notices({ store, above = 'nav.controls' }: { store: NoticeStore; above?: string }) {
  const list = useEmitterValue(store, (s) => s.list, none);
  const below = useSpaceBelow(above);
  return (
    <div className="notices" style={{ bottom: `calc(${below}px + 0.5rem)` }}>
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
