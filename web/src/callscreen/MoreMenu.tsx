import type { LucideIcon } from 'lucide-react';
import { Ellipsis } from 'lucide-react';
import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

/** The menu's items that can take focus now (items for narrow screens only are hidden on wide ones). */
function itemsOf(menu: HTMLElement | null): HTMLElement[] {
  if (!menu) return [];
  return [...menu.querySelectorAll<HTMLElement>('[role="menuitem"], [role="menuitemradio"]')].filter(
    (el) => el.checkVisibility?.() ?? el.offsetParent !== null,
  );
}

/**
 * A toolbar button that opens a menu (the WAI-ARIA menu button pattern). Enter, Space or Down
 * opens the menu on its first item, Up on its last; arrows, Home and End move; Escape closes it
 * and returns to the button; Tab or a click outside closes it. Choosing an item closes it too.
 */
export function MenuButton({
  label,
  icon: Icon,
  className = 'tool',
  menuClassName = 'more-menu',
  iconSize = 20,
  children,
}: {
  label: string;
  icon: LucideIcon;
  className?: string;
  menuClassName?: string;
  iconSize?: number;
  children: ReactNode;
}) {
  const [open, setOpen] = useState<false | 'first' | 'last'>(false);
  const ids = { button: useId(), menu: useId() };
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const items = itemsOf(menu.current);
    (open === 'last' ? items.at(-1) : items[0])?.focus();
    const outside = (e: PointerEvent): void => {
      const t = e.target as Node;
      if (!menu.current?.contains(t) && !button.current?.contains(t)) setOpen(false);
    };
    document.addEventListener('pointerdown', outside);
    return () => document.removeEventListener('pointerdown', outside);
    // Focus moves once per opening, not on every render while open.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open !== false]);

  const close = (refocus: boolean): void => {
    setOpen(false);
    if (refocus) button.current?.focus();
  };

  const onMenuKey = (e: KeyboardEvent<HTMLDivElement>): void => {
    const items = itemsOf(menu.current);
    const at = items.indexOf(document.activeElement as HTMLElement);
    const go = (i: number): void => {
      e.preventDefault();
      items[(i + items.length) % items.length]?.focus();
    };
    switch (e.key) {
      case 'ArrowDown':
        return go(at + 1);
      case 'ArrowUp':
        return go(at - 1);
      case 'Home':
        return go(0);
      case 'End':
        return go(items.length - 1);
      case 'Escape':
        e.preventDefault();
        e.stopPropagation();
        return close(true);
      case 'Tab':
        return close(false);
    }
  };

  return (
    <div className="more">
      <button
        ref={button}
        id={ids.button}
        type="button"
        className={className}
        aria-haspopup="menu"
        aria-expanded={open !== false}
        aria-controls={open ? ids.menu : undefined}
        onClick={() => setOpen(open ? false : 'first')}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
            e.preventDefault();
            setOpen(e.key === 'ArrowUp' ? 'last' : 'first');
          }
        }}
      >
        <Icon aria-hidden="true" focusable="false" size={iconSize} />
        <span className="sr-only">{label}</span>
        <span className="tip" aria-hidden="true" data-tip={label} />
      </button>
      {open && (
        <div
          ref={menu}
          id={ids.menu}
          role="menu"
          aria-labelledby={ids.button}
          className={menuClassName}
          onKeyDown={onMenuKey}
          // Choosing an item (a click, Enter or Space on it) closes the menu and puts focus back
          // on the button at once, so what the item opens (a panel, a dialog) can move it on
          // and knows the button as what opened it.
          onClick={(e) => {
            if ((e.target as HTMLElement).closest('[role="menuitem"], [role="menuitemradio"]')) {
              button.current?.focus();
              setOpen(false);
            }
          }}
        >
          {children}
        </div>
      )}
    </div>
  );
}

/** "More options": the call's secondary actions. */
export function MoreMenu({ children }: { children: ReactNode }) {
  return (
    <MenuButton label="More options" icon={Ellipsis}>
      {children}
    </MenuButton>
  );
}

/** One item of the More menu. `narrowOnly` items stand in for toolbar buttons hidden on phones. */
export function MenuItem({
  icon: Icon,
  label,
  onSelect,
  narrowOnly = false,
  disabled = false,
}: {
  icon: LucideIcon;
  label: string;
  onSelect: () => void;
  narrowOnly?: boolean;
  disabled?: boolean;
}) {
  return (
    <button
      type="button"
      role="menuitem"
      tabIndex={-1}
      className={narrowOnly ? 'menu-item narrow-only' : 'menu-item'}
      aria-disabled={disabled || undefined}
      onClick={() => {
        if (!disabled) onSelect();
      }}
    >
      <Icon aria-hidden="true" focusable="false" size={18} />
      <span>{label}</span>
    </button>
  );
}
