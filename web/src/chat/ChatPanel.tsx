import { CHAT_TEXT_MAX, type Participant } from '@parley/protocol';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useEmitterValue } from '../hooks/useEmitterValue';
import type { ChatClient, ChatSnapshot } from './ChatClient';
import type { ChatEntry } from './ChatStore';
import { linkify } from './linkify';

const empty: ChatSnapshot = { entries: [], unread: 0 };

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
  const { entries } = useEmitterValue(chat, (c) => c.snapshot, empty);
  const [text, setText] = useState('');
  const [to, setTo] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const list = useRef<HTMLOListElement>(null);

  useEffect(() => {
    chat.setOpen(true);
    return () => chat.setOpen(false);
  }, [chat]);

  useEffect(() => {
    const el = list.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [entries.length]);

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

  const nameOf = (id: string | undefined): string => participants.find((p) => p.id === id)?.name ?? 'someone';

  return (
    <section className="chat" aria-label="Chat">
      <ol className="chat-messages" ref={list} aria-live="polite" data-testid="chat-messages">
        {entries.length === 0 && <li className="chat-empty">No messages yet.</li>}
        {entries.map((e) => (
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

function ChatLine({ entry, own, nameOf }: { entry: ChatEntry; own: boolean; nameOf: (id?: string) => string }) {
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
}
