import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChatSnapshot } from '../chat/ChatClient';
import { fakeTimers } from '../callscreen/fakeTimers';
import type { TransferView } from '../files/FileTransfers';
import { CHAT_PREVIEW_CHARS, syncChatNotice, syncFileNotices, syncLobbyNotices } from './callNotices';
import { NoticeStore } from './NoticeStore';

function transfer(key: string, state: TransferView['state'], extra: Partial<TransferView> = {}): TransferView {
  return {
    key,
    direction: 'in',
    peerId: 'p1',
    peerName: 'Ada',
    name: 'report.pdf',
    size: 2 * 1024 * 1024,
    bytes: 0,
    rate: 0,
    secondsLeft: null,
    state,
    ...extra,
  };
}

test('an incoming offer shows Accept and Decline; answering runs the Files action and the notice goes', () => {
  const s = new NoticeStore(fakeTimers());
  const calls: string[] = [];
  const files = {
    accept: async (k: string) => void calls.push(`accept ${k}`),
    decline: (k: string) => void calls.push(`decline ${k}`),
  };
  const seen = new Set<string>();
  syncFileNotices(
    s,
    [transfer('p1:a', 'offered'), transfer('p1:b', 'offered'), transfer('p1:o', 'waiting', { direction: 'out' })],
    files,
    seen,
    false,
  );
  assert.deepEqual(
    s.list.map((n) => [n.id, n.text, n.actions.map((a) => a.label)]),
    [
      ['file:p1:a', 'Ada wants to send you report.pdf (2.0 MB).', ['Accept', 'Decline']],
      ['file:p1:b', 'Ada wants to send you report.pdf (2.0 MB).', ['Accept', 'Decline']],
    ],
  );
  s.act('file:p1:a', 'Accept');
  s.act('file:p1:b', 'Decline');
  assert.deepEqual(calls, ['accept p1:a', 'decline p1:b']);
  assert.equal(s.list.length, 0);
});

test('an offer answered in the Files panel, withdrawn or gone with its sender makes its notice moot', () => {
  const s = new NoticeStore(fakeTimers());
  const files = { accept: async () => {}, decline: () => {} };
  const seen = new Set<string>();
  syncFileNotices(
    s,
    [transfer('p1:a', 'offered'), transfer('p1:b', 'offered'), transfer('p1:c', 'offered')],
    files,
    seen,
    false,
  );
  assert.equal(s.list.length, 3);
  // a: accepted in the panel (choosing where to save, then transferring); b: withdrawn; c: left.
  syncFileNotices(
    s,
    [transfer('p1:a', 'offered', { choosing: true }), transfer('p1:b', 'cancelled')],
    files,
    seen,
    false,
  );
  assert.equal(s.list.length, 0);
  // The same offer seen again (a re-render) shows once.
  syncFileNotices(s, [transfer('p1:d', 'offered')], files, seen, false);
  syncFileNotices(s, [transfer('p1:d', 'offered')], files, seen, false);
  assert.deepEqual(
    s.list.map((n) => n.id),
    ['file:p1:d'],
  );
});

test('an arrived file is announced once: Save for one kept in memory, a sentence for one already saved', () => {
  const clock = fakeTimers();
  const s = new NoticeStore(clock);
  const files = { accept: async () => {}, decline: () => {} };
  const seen = new Set<string>();
  const saved: string[] = [];
  const list = [
    transfer('p1:m', 'done', { url: 'blob:x', name: 'm.bin' }),
    transfer('p1:d', 'done', { storage: 'download', name: 'd.bin' }),
  ];
  syncFileNotices(s, list, files, seen, false, (url, name) => saved.push(`${url} ${name}`));
  assert.deepEqual(
    s.list.map((n) => [n.text, n.actions.map((a) => a.label)]),
    [
      ['m.bin from Ada has arrived.', ['Save m.bin']],
      ['d.bin from Ada is saved.', []],
    ],
  );
  s.act('file-done:p1:m', 'Save m.bin');
  assert.deepEqual(saved, ['blob:x m.bin']);
  clock.advance(10_000);
  syncFileNotices(s, list, files, seen, false);
  assert.equal(s.list.length, 0, 'not announced again');
  // With the Files panel open, the panel shows it: no notice.
  syncFileNotices(s, [transfer('p1:n', 'done', { url: 'blob:y' })], files, seen, true);
  assert.equal(s.list.length, 0);
});

function chatSnap(unread: number, texts: Array<[from: string, text: string, to?: string]>): ChatSnapshot {
  return {
    unread,
    olderDropped: false,
    entries: texts.map(([from, text, to], i) => ({
      status: 'sent',
      message: { id: `m${i}`, from, fromName: from.toUpperCase(), text, at: i, ...(to ? { to } : {}) },
    })),
  } as ChatSnapshot;
}

test('a chat message while the chat is closed shows sender and start; opening the chat takes it away', () => {
  const s = new NoticeStore(fakeTimers());
  let opened = 0;
  const open = (): void => void opened++;
  let unread = syncChatNotice(s, chatSnap(0, [['ada', 'old history']]), 0, 'me', open, 6_000);
  assert.equal(s.list.length, 0, 'history is not news');
  const long = 'x'.repeat(CHAT_PREVIEW_CHARS + 20);
  unread = syncChatNotice(
    s,
    chatSnap(1, [
      ['ada', 'old history'],
      ['bo', long],
    ]),
    unread,
    'me',
    open,
    6_000,
  );
  assert.equal(s.list[0]?.text, `BO: ${'x'.repeat(CHAT_PREVIEW_CHARS)}…`);
  // Our own message after it changes nothing; the next from someone else replaces the notice.
  unread = syncChatNotice(
    s,
    chatSnap(1, [
      ['bo', long],
      ['me', 'mine'],
    ]),
    unread,
    'me',
    open,
    6_000,
  );
  unread = syncChatNotice(
    s,
    chatSnap(2, [
      ['bo', long],
      ['me', 'mine'],
      ['ada', 'psst', 'me'],
    ]),
    unread,
    'me',
    open,
    6_000,
  );
  assert.deepEqual(
    s.list.map((n) => n.text),
    ['ADA (privately): psst (2 unread)'],
  );
  s.act('chat', 'Open chat');
  assert.equal(opened, 1);
  unread = syncChatNotice(s, chatSnap(3, [['ada', 'again']]), unread, 'me', open, 6_000);
  assert.equal(s.list.length, 1);
  unread = syncChatNotice(s, chatSnap(0, [['ada', 'again']]), unread, 'me', open, 6_000);
  assert.equal(s.list.length, 0, 'the chat was opened: moot');
  assert.equal(unread, 0);
});

test('lobby notices: for the host only, Admit and Deny act, moot once the person no longer waits', () => {
  const s = new NoticeStore(fakeTimers());
  const acts: string[] = [];
  const act = (a: string, id: string): void => void acts.push(`${a} ${id}`);
  const answered = new Set<string>();
  const ada = { id: 'a', name: 'Ada', since: 0 };
  const bo = { id: 'b', name: 'Bo', since: 0 };
  syncLobbyNotices(s, [ada, bo], false, act, answered);
  assert.equal(s.list.length, 0, 'not the host');
  syncLobbyNotices(s, [ada, bo], true, act, answered);
  assert.deepEqual(
    s.list.map((n) => [n.text, n.actions.map((x) => x.label)]),
    [
      ['Ada is waiting to join.', ['Admit', 'Deny']],
      ['Bo is waiting to join.', ['Admit', 'Deny']],
    ],
  );
  s.act('lobby:a', 'Admit');
  assert.deepEqual(acts, ['lobby-admit a']);
  // Ada is still listed until the server's new state arrives: her notice does not come back.
  syncLobbyNotices(s, [ada, bo], true, act, answered);
  assert.deepEqual(
    s.list.map((n) => n.id),
    ['lobby:b'],
  );
  // Bo was refused from the host panel.
  syncLobbyNotices(s, [], true, act, answered);
  assert.equal(s.list.length, 0);
  // Ada asks again later: a new notice.
  syncLobbyNotices(s, [ada], true, act, answered);
  assert.deepEqual(
    s.list.map((n) => n.id),
    ['lobby:a'],
  );
  syncLobbyNotices(s, [ada], false, act, answered); // the host role went to someone else
  assert.equal(s.list.length, 0);
});
