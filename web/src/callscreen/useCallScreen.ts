import { useCallback, useMemo, useState } from 'react';
import type { PanelName } from '../components/SidePanel';
import { useJoinLeaveAnnouncement } from '../a11y/useAnnouncements';
import { useCallDevices } from '../devices/useCallDevices';
import { useDevices } from '../devices/useDevices';
import { useShortcuts } from '../keyboard/useShortcuts';
import type { Call, CallSnapshot } from '../media/Call';
import { useLinkQuality } from '../quality/useLinkQuality';
import { useSpeaking } from '../speaking/useSpeaking';
import { useGallery } from './useGallery';

export type Layout = 'grid' | 'speaker';
/** The panel open beside the stage (one at a time). */
export type Panel = PanelName | null;

/** Id used for the local person before the server has given one. */
export const SELF = 'self';

/**
 * Everything on the call screen beyond the tiles and the basic buttons: who is talking, the
 * layout, connection quality, device switching, keyboard shortcuts and announcements.
 */
export function useCallScreen(
  call: Call | null,
  snapshot: CallSnapshot,
  leave: () => void,
  /** Who the layout features for you (your pin, else the host's spotlight); `clear` sets it aside. */
  focus: { id: string | null; clear: () => void } = { id: null, clear: () => undefined },
) {
  const { media, remotes, self, localStream } = snapshot;
  const selfId = self?.id ?? SELF;
  const [chosenLayout, setChosenLayout] = useState<Layout>('grid');
  const [panel, setPanel] = useState<Panel>(null);
  const [helpOpen, setHelpOpen] = useState(false);

  const sources = useMemo(
    () => [
      { id: selfId, stream: localStream, muted: !media.audio },
      ...remotes.map((r) => ({ id: r.participant.id, stream: r.stream, muted: !r.participant.media.audio })),
    ],
    [selfId, localStream, media.audio, remotes],
  );
  const talk = useSpeaking(sources);
  const quality = useLinkQuality(
    call,
    (id) => remotes.find((r) => r.participant.id === id)?.participant.media.video ?? false,
  );
  const devices = useDevices(localStream);
  const callDevices = useCallDevices(call, devices);
  const announcement = useJoinLeaveAnnouncement(
    self ? remotes.map((r) => ({ id: r.participant.id, name: r.participant.name })) : [],
  );

  // The active speaker: the server's where it measures one (rooms through its forwarding unit),
  // else the local detection; only someone in the call.
  const remoteIds = useMemo(() => remotes.map((r) => r.participant.id), [remotes]);
  const speaker = [snapshot.activeSpeaker, talk.active].find(
    (id) => id != null && (id === selfId || remoteIds.includes(id)),
  );
  const activeSpeaker = speaker ?? null;
  // A pinned or spotlighted person is featured in the speaker layout, whatever was chosen.
  const focusId = focus.id !== null && (focus.id === selfId || remoteIds.includes(focus.id)) ? focus.id : null;
  const layout: Layout = focusId !== null ? 'speaker' : chosenLayout;
  const { clear: clearFocus } = focus;
  const setLayout = useCallback(
    (l: Layout) => {
      if (l === 'grid' && focusId !== null) clearFocus();
      setChosenLayout(l);
    },
    [focusId, clearFocus],
  );
  // The large tile in the speaker layout: the focus, else the active speaker, else the first other person.
  const featured = layout === 'speaker' ? (focusId ?? activeSpeaker ?? remoteIds[0] ?? selfId) : null;
  // Which tiles are on screen: a page of the grid or of the speaker layout's strip.
  const gallery = useGallery({ layout, selfId, remoteIds, speaker: activeSpeaker, featured });

  const togglePanel = useCallback((p: Exclude<Panel, null>) => setPanel((cur) => (cur === p ? null : p)), []);

  useShortcuts((action) => {
    switch (action) {
      case 'toggle-mic':
        if (localStream?.getAudioTracks().length) call?.setAudioEnabled(!media.audio);
        break;
      case 'toggle-camera':
        if (localStream?.getVideoTracks().length) call?.setVideoEnabled(!media.video);
        break;
      case 'toggle-chat':
        window.dispatchEvent(new CustomEvent('parley:toggle-chat'));
        break;
      case 'toggle-layout':
        setLayout(layout === 'grid' ? 'speaker' : 'grid');
        break;
      case 'leave':
        leave();
        break;
      case 'help':
        setHelpOpen(true);
        break;
    }
  });

  return {
    selfId,
    layout,
    setLayout,
    panel,
    setPanel,
    togglePanel,
    helpOpen,
    setHelpOpen,
    speaking: talk.speaking,
    activeSpeaker,
    featured,
    gallery,
    quality,
    devices,
    callDevices,
    announcement,
  };
}

export type CallScreenState = ReturnType<typeof useCallScreen>;
