import { CHAT_TEXT_MAX, type Participant } from '@parley/protocol';
import { memo, useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useEmitterValue } from '../hooks/useEmitterValue';
import type { ChatClient, ChatSnapshot } from './ChatClient';
import type { ChatEntry } from './ChatStore';
import './ChatPanel.css';
import { linkify } from './linkify';

const empty: ChatSnapshot = { entries: [], olderDropped: false, unread: 0 };

/** Messages rendered at first, and how many more each "Show earlier messages" adds. */
export const CHAT_RENDER_STEP = 200;

const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/** The chat panel: messages with sender and time, a box to write in, and a recipient choice. */
export function ChatPanel({
  chat,
  selfId,
  participants,
}: {
  chat: ChatClient;
  selfId: string | undefined;
  participants: Participant[];
}) {
  const { entries, olderDropped } = useEmitterValue(chat, (c) => c.snapshot, empty);
  const [rendered, setRendered] = useState(CHAT_RENDER_STEP);
  const [text, setText] = useState('');
  const [to, setTo] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const list = useRef<HTMLOListElement>(null);

  useEffect(() => {
    chat.setOpen(true);
    return () => chat.setOpen(false);
  }, [chat]);

  const last = entries.at(-1);
  const lastKey = last ? `${last.message.from}/${last.message.id}` : '';
  useEffect(() => {
    const el = list.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [lastKey]);

  // Only the newest messages become DOM nodes; the person can ask for more of those kept.
  const shown = entries.length > rendered ? entries.slice(entries.length - rendered) : entries;
  const notRendered = entries.length - shown.length;

  const recipient = participants.find((p) => p.id === to);
  const length = [...text].length;

  const send = (): void => {
    const p = chat.send(text, recipient?.id);
    setProblem(p);
    if (!p) setText('');
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>): void => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      send();
    }
  };

  const nameOf = useCallback(
    (id: string | undefined): string => participants.find((p) => p.id === id)?.name ?? 'someone',
    [participants],
  );

  return (
    <section className="chat" aria-label="Chat">
      <ol className="chat-messages" ref={list} aria-live="polite" data-testid="chat-messages">
        {entries.length === 0 && <li className="chat-empty">No messages yet.</li>}
        {(notRendered > 0 || olderDropped) && (
          <li className="chat-older" data-testid="chat-older">
            Older messages are not shown.{' '}
            {notRendered > 0 && (
              <button type="button" className="link" onClick={() => setRendered((n) => n + CHAT_RENDER_STEP)}>
                Show {Math.min(notRendered, CHAT_RENDER_STEP)} earlier
              </button>
            )}
          </li>
        )}
        {shown.map((e) => (
          <ChatLine
            key={`${e.message.from}/${e.message.id}`}
            entry={e}
            own={e.message.from === selfId}
            nameOf={nameOf}
          />
        ))}
      </ol>
      <form
        className="chat-form"
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
      >
        <label className="chat-to">
          To{' '}
          <select value={recipient ? to : ''} onChange={(e) => setTo(e.target.value)}>
            <option value="">Everyone</option>
            {participants.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name} (private)
              </option>
            ))}
          </select>
        </label>
        <textarea
          aria-label="Message"
          placeholder="Message (Enter sends, Shift+Enter for a new line)"
          rows={2}
          value={text}
          aria-invalid={length > CHAT_TEXT_MAX}
          onChange={(e) => {
            setText(e.target.value);
            setProblem(null);
          }}
          onKeyDown={onKeyDown}
        />
        {length > CHAT_TEXT_MAX * 0.9 && (
          <p className={length > CHAT_TEXT_MAX ? 'error' : 'hint'}>
            {length} / {CHAT_TEXT_MAX} characters
          </p>
        )}
        {problem && (
          <p role="alert" className="error">
            {problem}
          </p>
        )}
        <button type="submit">Send</button>
      </form>
    </section>
  );
}

/** One message; entries are immutable, so an unchanged message is not rendered again. */
const ChatLine = memo(function ChatLine({
  entry,
  own,
  nameOf,
}: {
  entry: ChatEntry;
  own: boolean;
  nameOf: (id?: string) => string;
}) {
  const { message, status, error } = entry;
  return (
    <li className={`chat-message${own ? ' own' : ''}${message.to ? ' private' : ''}`} data-status={status}>
      <div className="chat-meta">
        <span className="chat-sender">{own ? 'You' : message.fromName}</span>
        {message.to && (
          <span className="chat-private">{own ? ` → ${nameOf(message.to)} (private)` : ' (private to you)'}</span>
        )}{' '}
        <time dateTime={new Date(message.at).toISOString()}>{time.format(message.at)}</time>
        {status === 'sending' && <span className="chat-status"> sending…</span>}
        {status === 'failed' && <span className="chat-status error"> not sent: {error}</span>}
      </div>
      <p className="chat-text">
        {linkify(message.text).map((part, i) =>
          part.kind === 'link' ? (
            <a key={i} href={part.href} target="_blank" rel="noopener noreferrer">
              {part.text}
            </a>
          ) : (
            <span key={i}>{part.text}</span>
          ),
        )}
      </p>
    </li>
  );
});
