import type { Participant } from '@parley/protocol';
import type { ReactNode } from 'react';
import './features.css';
import type { CallFeatures } from '../callFeatures';
import { ChatPanel } from '../chat/ChatPanel';
import { FilesPanel } from '../files/FilesPanel';
import { useEmitterValue } from '../hooks/useEmitterValue';

export type PanelName = 'chat' | 'files' | 'people';

/** The buttons that open the chat and files panels (chat shows an unread count). */
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
      <button
        type="button"
        aria-pressed={open === 'chat'}
        aria-controls={open ? 'side-panel' : undefined}
        onClick={() => toggle('chat')}
      >
        Chat
        {unread > 0 && (
          <span className="count-badge" data-testid="unread-badge" aria-label={`${unread} unread`}>
            {unread}
          </span>
        )}
      </button>
      <button
        type="button"
        aria-pressed={open === 'files'}
        aria-controls={open ? 'side-panel' : undefined}
        onClick={() => toggle('files')}
      >
        Files
        {offered > 0 && (
          <span className="count-badge" aria-label={`${offered} waiting for you`}>
            {offered}
          </span>
        )}
      </button>
    </>
  );
}

/** The side panel showing chat or files. */
export function SidePanel({
  features,
  open,
  selfId,
  participants,
  people,
}: {
  features: CallFeatures;
  open: PanelName | null;
  selfId: string | undefined;
  participants: Participant[];
  /** The People panel's content (meeting/PeoplePanel). */
  people?: ReactNode;
}) {
  if (!open) return null;
  const label = { chat: 'Chat panel', files: 'Files panel', people: 'People panel' }[open];
  return (
    <aside id="side-panel" className="feature-panel" aria-label={label}>
      {open === 'people' ? (
        people
      ) : open === 'chat' ? (
        <ChatPanel chat={features.chat} selfId={selfId} participants={participants} />
      ) : (
        <FilesPanel files={features.files} participants={participants} />
      )}
    </aside>
  );
}
