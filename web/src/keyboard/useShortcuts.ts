import { useEffect, useRef } from 'react';
import { shortcutFor, type ShortcutAction } from './shortcuts';

/** Run `onAction` for the call screen's shortcuts (see shortcuts.ts) while mounted. */
export function useShortcuts(onAction: (action: ShortcutAction) => void): void {
  const handler = useRef(onAction);
  useEffect(() => {
    handler.current = onAction;
  });
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.repeat || e.defaultPrevented) return;
      const target = e.target instanceof HTMLElement ? e.target : null;
      // Inside an open dialog only its own keys apply (Escape closes it).
      if (target?.closest('dialog[open]')) return;
      const action = shortcutFor({
        key: e.key,
        ctrlKey: e.ctrlKey,
        shiftKey: e.shiftKey,
        altKey: e.altKey,
        metaKey: e.metaKey,
        targetTag: target?.tagName,
        targetEditable: target?.isContentEditable ?? false,
      });
      if (!action) return;
      e.preventDefault();
      handler.current(action);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
