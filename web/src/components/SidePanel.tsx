import type { Participant } from '@parley/protocol';
import { MessageSquare, Paperclip, X } from 'lucide-react';
import { useEffect, useRef, type ReactNode } from 'react';
import './features.css';
import type { CallFeatures } from '../callFeatures';
import { ChatPanel } from '../chat/ChatPanel';
import { FilesPanel } from '../files/FilesPanel';
import { useEmitterValue } from '../hooks/useEmitterValue';
import { ToolButton } from '../callscreen/ToolButton';

/** The panels beside the stage; one is open at a time. */
export type PanelName = 'chat' | 'files' | 'people' | 'devices' | 'stats';

const titles: Record<PanelName, { title: string; label: string }> = {
  chat: { title: 'Chat', label: 'Chat panel' },
  files: { title: 'Files', label: 'Files panel' },
  people: { title: 'People', label: 'People panel' },
  devices: { title: 'Devices', label: 'Devices panel' },
  stats: { title: 'Connection', label: 'Connection panel' },
};

/** The Chat and Files toolbar buttons (chat shows an unread count, files the offers waiting). */
export function PanelButtons({
  features,
  open,
  setOpen,
}: {
  features: CallFeatures;
  open: PanelName | null;
  setOpen: (p: PanelName | null) => void;
}) {
  const unread = useEmitterValue(features.chat, (c) => c.snapshot.unread, 0);
  const offered = useEmitterValue(features.files, (f) => f.transfers.filter((t) => t.state === 'offered').length, 0);
  const toggle = (p: PanelName): void => setOpen(open === p ? null : p);
  return (
    <>
      <ToolButton
        icon={MessageSquare}
        label="Chat"
        aria-pressed={open === 'chat'}
        aria-controls={open ? 'side-panel' : undefined}
        onClick={() => toggle('chat')}
        badge={
          unread > 0 && (
            <span className="count-badge" data-testid="unread-badge" aria-label={`${unread} unread`}>
              {unread}
            </span>
          )
        }
      />
      <ToolButton
        icon={Paperclip}
        label="Files"
        className="wide-only"
        aria-pressed={open === 'files'}
        aria-controls={open ? 'side-panel' : undefined}
        onClick={() => toggle('files')}
        badge={
          offered > 0 && (
            <span className="count-badge" aria-label={`${offered} waiting for you`}>
              {offered}
            </span>
          )
        }
      />
    </>
  );
}

/**
 * The open panel beside the stage (a full-screen sheet on a phone): a header with its title and
 * a close button; Escape closes it too (unless a dialog, menu or notice takes it first).
 */
export function SidePanel({
  features,
  open,
  close,
  selfId,
  participants,
  people,
  devices,
  stats,
}: {
  features: CallFeatures | null;
  open: PanelName | null;
  close: () => void;
  selfId: string | undefined;
  participants: Participant[];
  /** The People panel's content (meeting/PeoplePanel). */
  people?: ReactNode;
  /** The device settings' content. */
  devices?: ReactNode;
  /** The connection details' content. */
  stats?: ReactNode;
}) {
  const closeRef = useRef(close);
  useEffect(() => {
    closeRef.current = close;
  });
  const headingRef = useRef<HTMLHeadingElement>(null);
  // Focus moves onto a panel's heading when it opens, so a keyboard or screen-reader user lands
  // in what they opened; when it closes, focus goes back to what opened it (a menu puts focus
  // back on its own button before an item opens a panel).
  useEffect(() => {
    if (!open) return;
    const opener = document.activeElement as HTMLElement | null;
    headingRef.current?.focus({ preventScroll: true });
    return () => {
      requestAnimationFrame(() => {
        const now = document.activeElement;
        if ((now === null || now === document.body) && opener?.isConnected) opener.focus({ preventScroll: true });
      });
    };
  }, [open]);
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent): void => {
      if (e.key !== 'Escape' || e.defaultPrevented) return;
      const target = e.target instanceof Element ? e.target : null;
      // Escape belongs to an open dialog, menu or notice first.
      if (target?.closest('dialog[open], [role="menu"], .notices')) return;
      closeRef.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open]);
  if (!open) return null;
  const body =
    open === 'people' ? (
      people
    ) : open === 'devices' ? (
      devices
    ) : open === 'stats' ? (
      stats
    ) : !features ? null : open === 'chat' ? (
      <ChatPanel chat={features.chat} selfId={selfId} participants={participants} />
    ) : (
      <FilesPanel files={features.files} participants={participants} />
    );
  const { title, label } = titles[open];
  return (
    <aside id="side-panel" className="feature-panel" aria-label={label} data-panel={open}>
      <header className="panel-header">
        <h2 className="panel-title" ref={headingRef} tabIndex={-1}>
          {title}
        </h2>
        <button type="button" className="panel-close" aria-label="Close panel" title="Close panel" onClick={close}>
          <X aria-hidden="true" focusable="false" size={20} />
        </button>
      </header>
      <div className="panel-body">{body}</div>
    </aside>
  );
}
