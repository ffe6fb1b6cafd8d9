import { formatBytes, type LobbyEntry } from '@parley/protocol';
import type { ChatSnapshot } from '../chat/ChatClient';
import type { TransferView } from '../files/FileTransfers';
import type { NoticeStore } from './NoticeStore';

/** Characters of a chat message shown in its notice. */
export const CHAT_PREVIEW_CHARS = 80;

/** What the file notices need of `FileTransfers`. */
export interface FileActions {
  accept(key: string): Promise<void>;
  decline(key: string): void;
}

/** Save a verified in-memory file the way the Files panel's Save link does. */
function saveUrl(url: string, name: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
}

/**
 * File notices from the transfers: one per incoming offer waiting for an answer (Accept and
 * Decline; gone once answered here or in the Files panel, withdrawn, or its sender left), and
 * one when an incoming file has arrived. `seenDone` holds the keys already announced as done.
 */
export function syncFileNotices(
  store: NoticeStore,
  transfers: readonly TransferView[],
  files: FileActions,
  seenDone: Set<string>,
  filesOpen: boolean,
  save: (url: string, name: string) => void = saveUrl,
): void {
  const offered = new Set<string>();
  for (const t of transfers) {
    if (t.direction !== 'in') continue;
    if (t.state === 'offered' && !t.choosing) {
      offered.add(`file:${t.key}`);
      store.show({
        id: `file:${t.key}`,
        text: `${t.peerName} wants to send you ${t.name} (${formatBytes(t.size)}).`,
        actions: [
          // The same accept as the Files panel's: where the bytes go (memory, the picker's
          // file, the browser's downloads) is decided there, inside this click.
          { label: 'Accept', run: () => void files.accept(t.key) },
          { label: 'Decline', run: () => files.decline(t.key) },
        ],
      });
    } else if (t.state === 'done' && !seenDone.has(t.key)) {
      seenDone.add(t.key);
      if (filesOpen) continue; // the panel shows it
      const url = t.url;
      if (url) {
        store.show({
          id: `file-done:${t.key}`,
          text: `${t.name} from ${t.peerName} has arrived.`,
          actions: [{ label: `Save ${t.name}`, run: () => save(url, t.name) }],
        });
      } else {
        store.show({ id: `file-done:${t.key}`, text: `${t.name} from ${t.peerName} is saved.` });
      }
    }
  }
  store.dismissWhere('file:', (id) => offered.has(id));
  // A file that is no longer there (the list was cleared) has nothing left to save.
  const present = new Set(transfers.map((t) => `file-done:${t.key}`));
  store.dismissWhere('file-done:', (id) => present.has(id));
}

/**
 * The chat notice: shown when a message from someone else arrives while the chat is closed (the
 * unread count grows), replaced by the next one, gone once the chat is opened.
 */
export function syncChatNotice(
  store: NoticeStore,
  snap: ChatSnapshot,
  lastUnread: number,
  selfId: string | undefined,
  openChat: () => void,
  timeoutMs: number,
): number {
  if (snap.unread === 0) {
    store.dismiss('chat');
    return 0;
  }
  if (snap.unread <= lastUnread) return snap.unread;
  const latest = [...snap.entries].reverse().find((e) => e.message.from !== selfId)?.message;
  if (!latest) return snap.unread;
  const text = latest.text.length > CHAT_PREVIEW_CHARS ? `${latest.text.slice(0, CHAT_PREVIEW_CHARS)}…` : latest.text;
  const more = snap.unread > 1 ? ` (${snap.unread} unread)` : '';
  store.show({
    id: 'chat',
    text: `${latest.fromName}${latest.to ? ' (privately)' : ''}: ${text}${more}`,
    actions: [{ label: 'Open chat', run: openChat }],
    timeoutMs,
  });
  return snap.unread;
}

/**
 * The host's lobby notices: one per person waiting (Admit, Deny), gone once they are admitted
 * or refused (here or in the host panel) or leave, and all gone when we are not the host.
 * `answered` holds the people answered from a notice (or whose notice was closed) while they
 * are still listed, so their notice does not come back before the server's new list arrives.
 */
export function syncLobbyNotices(
  store: NoticeStore,
  waiting: readonly LobbyEntry[],
  isHost: boolean,
  act: (action: 'lobby-admit' | 'lobby-deny', id: string) => void,
  answered: Set<string>,
): void {
  const shown = new Set<string>();
  const listed = new Set(waiting.map((w) => w.id));
  for (const id of answered) if (!listed.has(id)) answered.delete(id);
  if (isHost) {
    for (const w of waiting) {
      const id = `lobby:${w.id}`;
      if (answered.has(w.id)) continue;
      shown.add(id);
      if (store.has(id)) continue;
      const answer = (action: 'lobby-admit' | 'lobby-deny') => (): void => {
        answered.add(w.id);
        act(action, w.id);
      };
      store.show({
        id,
        text: `${w.name} is waiting to join.`,
        actions: [
          { label: 'Admit', run: answer('lobby-admit') },
          { label: 'Deny', run: answer('lobby-deny') },
        ],
      });
    }
  }
  store.dismissWhere('lobby:', (id) => shown.has(id));
}
