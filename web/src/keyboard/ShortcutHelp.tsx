import { useEffect, useRef } from 'react';
import { SHORTCUTS } from './shortcuts';

/**
 * The list of keyboard shortcuts, in a modal dialog (Escape or the button closes it). Its button
 * takes focus when the dialog opens, not through React's `autoFocus`: that focuses on mount, and
 * a dialog mounted closed with the call screen made the browser compute the whole new screen's
 * style inside that commit (about 150 ms on a busy machine while a call was being set up).
 */
export function ShortcutHelp({ open, onClose }: { open: boolean; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      d.showModal();
      close.current?.focus();
    }
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} className="dialog" aria-labelledby="shortcut-help-title" onClose={onClose}>
      <h2 id="shortcut-help-title">Keyboard shortcuts</h2>
      <table className="shortcut-table">
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.action}>
              <th scope="row">
                <kbd>{s.keys}</kbd>
              </th>
              <td>{s.description}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <button ref={close} type="button" onClick={onClose}>
        Close
      </button>
    </dialog>
  );
}
