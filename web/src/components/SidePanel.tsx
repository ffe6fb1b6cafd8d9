import { formatBytes, type Participant } from '@parley/protocol';
import type { ReactNode } from 'react';
import './features.css';
import type { CallFeatures } from '../callFeatures';
import { ChatPanel } from '../chat/ChatPanel';
import { FilesPanel } from '../files/FilesPanel';
import { useEmitterValue } from '../hooks/useEmitterValue';

export type PanelName = 'chat' | 'files' | 'people';

/** What the incoming offers waiting for an answer say to the person, or '' when there are none. */
function offerSentence(files: CallFeatures['files']): string {
  const offers = files.transfers.filter((t) => t.state === 'offered');
  const first = offers[0];
  if (!first) return '';
  if (offers.length > 1) return `${offers.length} files are waiting for your answer.`;
  return `${first.peerName} wants to send you ${first.name} (${formatBytes(first.size)}).`;
}

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
  // A sentence (a string, so the snapshot compares by value) for the notice below.
  const offerText = useEmitterValue(features.files, offerSentence, '');
  const toggle = (p: PanelName): void => setOpen(open === p ? null : p);
  return (
    <>
      {offerText !== '' && open !== 'files' && (
        // An offer must be seen even with the Files panel closed: a notice above the controls.
        <div className="offer-toast" role="status" data-testid="offer-toast">
          <span>{offerText}</span>
          <button type="button" onClick={() => setOpen('files')}>
            Show files
          </button>
        </div>
      )}
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
