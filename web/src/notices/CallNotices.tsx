import { useEffect, useRef } from 'react';
import type { CallFeatures } from '../callFeatures';
import type { PanelName } from '../components/SidePanel';
import type { Call, CallSnapshot } from '../media/Call';
import { syncChatNotice, syncFileNotices, syncLobbyNotices } from './callNotices';
import { NOTICE_INFO_MS, notices } from './NoticeStore';
import { Notices } from './Notices';
import { ordinal, useHandRaised } from '../meeting/useMeeting';

/**
 * The call screen's notices: an incoming file offer, a chat message while the chat is closed,
 * a raised hand, and (for the host) someone waiting in the lobby, each with its action, shown
 * through the page's one notice store. Mounted once on the call screen.
 */
export function CallNotices({
  call,
  features,
  snapshot,
  panel,
  openPanel,
}: {
  call: Call | null;
  features: CallFeatures | null;
  snapshot: CallSnapshot;
  panel: PanelName | null;
  openPanel: (p: PanelName) => void;
}) {
  // What the listeners below read at the time of an event.
  const latest = useRef({ filesOpen: false, selfId: undefined as string | undefined, openPanel });
  const selfId = snapshot.self?.id;
  useEffect(() => {
    latest.current = { filesOpen: panel === 'files', selfId, openPanel };
  }, [panel, selfId, openPanel]);

  // The call screen goes away: so do its notices.
  useEffect(() => () => notices.clear(), []);

  useEffect(() => {
    if (!features) return;
    const { files, chat } = features;
    const seenDone = new Set(files.transfers.filter((t) => t.state === 'done').map((t) => t.key));
    const fileSync = (): void => syncFileNotices(notices, files.transfers, files, seenDone, latest.current.filesOpen);
    let unread = chat.snapshot.unread;
    const chatSync = (): void => {
      unread = syncChatNotice(
        notices,
        chat.snapshot,
        unread,
        latest.current.selfId,
        () => latest.current.openPanel('chat'),
        NOTICE_INFO_MS,
      );
    };
    fileSync();
    const offs = [files.on('change', fileSync), chat.on('change', chatSync)];
    return () => {
      for (const off of offs) off();
    };
  }, [features]);

  const { roomState, self, phase } = snapshot;
  const isHost = phase === 'joined' && !!self && roomState?.hostId === self.id;
  const waiting = roomState?.waiting;
  const answered = useRef(new Set<string>());
  useEffect(() => {
    syncLobbyNotices(
      notices,
      waiting ?? [],
      isHost,
      (action, id) => {
        call?.hostAction(action, { id }).catch((err: unknown) => {
          notices.show({ id: `lobby-error:${id}`, text: err instanceof Error ? err.message : String(err) });
        });
      },
      answered.current,
    );
  }, [call, waiting, isHost]);

  // A raised hand: who and their place in line, with the People panel (and, for the host, a way
  // to lower it); the notice goes once that hand is down.
  const meeting = features?.meeting ?? null;
  const remotes = snapshot.remotes;
  const handInfo = useRef({ isHost, remotes });
  useEffect(() => {
    handInfo.current = { isHost, remotes };
  }, [isHost, remotes]);
  useHandRaised(meeting, ({ id, position }) => {
    if (!meeting) return;
    const { isHost: host, remotes: others } = handInfo.current;
    const name = others.find((r) => r.participant.id === id)?.participant.name ?? 'Someone';
    const actions = [{ label: 'Show people', run: () => latest.current.openPanel('people') }];
    if (host) actions.push({ label: 'Lower hand', run: () => void meeting.lowerHand(id) });
    notices.show({
      id: `hand:${id}`,
      text: `${name} raised their hand (${ordinal(position)} in line).`,
      actions,
      timeoutMs: NOTICE_INFO_MS,
    });
  });
  useEffect(() => {
    if (!meeting) return;
    const sync = (): void => notices.dismissWhere('hand:', (key) => meeting.handPosition(key.slice(5)) > 0);
    return meeting.on('change', sync);
  }, [meeting]);

  return <Notices store={notices} />;
}
