import { nameProblem, roomProblem } from '@parley/protocol/limits';
import { startTransition, useEffect, useState, type CSSProperties } from 'react';
import { Link, useLocation, useNavigate, useParams, useSearchParams } from 'react-router';
import { featuresOf } from '../callFeatures';
import '../components/grid.css';
import { Files as FilesIcon, PhoneOff } from 'lucide-react';
import '../callscreen/callscreen.css';
import { PanelButtons, SidePanel } from '../components/SidePanel';
import { VideoTile } from '../components/VideoTile';
import {
  CallScreenExtras,
  CallScreenMenuItems,
  DevicesPanel,
  QualityBadge,
  StatsPanel,
  useCallScreen,
} from '../callscreen/CallScreenExtras';
import { MenuItem, MoreMenu } from '../callscreen/MoreMenu';
import { ToolButton } from '../callscreen/ToolButton';
import { MediaToggle } from '../callscreen/MediaToggle';
import { callErrorText } from '../errors/callErrorText';
import { AccessNotices, LobbyWait, PasswordPrompt } from '../host/AccessGate';
import { HostControls } from '../host/HostControls';
import { invitationToken } from '../host/invitation';
import { startCall, useCall } from '../hooks/useCall';
import type { CallOptions, CallSnapshot } from '../media/Call';
import { problemText } from '../media/localMedia';
import { ScreenButton, ScreenMenuItem, ScreenStage, useScreens } from '../screen/ScreenStage';
import { gridShape } from '../callscreen/gallery';
import { Pager } from '../callscreen/Pager';
import type { Gallery } from '../callscreen/useGallery';
import { useTileViews } from '../callscreen/useTileViews';
import { gridFit, useElementSize, useVideoRatios } from '../callscreen/useTileFit';
import { useFileDrop } from '../files/useFileDrop';
import { callPath, rememberRoom } from '../names';
import { handOff, settleHandOff, takeHandOff, type JoinChoice, type StartedChoice } from '../prejoin/handoff';
import { PreJoin } from '../prejoin/PreJoin';
import { CallNotices } from '../notices/CallNotices';
import { PipButton } from '../pip/PipButton';
import { setSpeakerId } from '../devices/speaker';
import { RecordButton, RecordMenuItem } from '../recording/RecordButton';
import { RecordingBadge } from '../recording/RecordingBadge';
import { HandButton, MeetingAnnouncer, PeopleButton, ReactionsButton } from '../meeting/MeetingControls';
import { PeoplePanel } from '../meeting/PeoplePanel';
import { TileMeeting } from '../meeting/TileMeeting';
import { useMeetingFocus } from '../meeting/useMeeting';
import { useEmbedBridge } from '../embed/useEmbedBridge';
import { E2eeBadge, WrongKeyNotice } from '../e2ee/E2eeNotices';
import { invitationLink, linkE2ee } from '../e2ee/linkChoice';

const linkStateText: Record<string, string | undefined> = {
  connecting: 'connecting…',
  reconnecting: 'reconnecting…',
  failed: 'connection failed',
};

/** React key of your own tile (your id may arrive after the tile is shown). */
const SELF_TILE = '\u0000self';

/**
 * Columns and rows for a page of tiles when the room takes pages (or more than the six tiles
 * grid.css has classes for); undefined leaves the classes' shapes for small rooms.
 */
function pagedGridStyle(layout: 'grid' | 'speaker', gallery: Gallery, count: number): CSSProperties | undefined {
  // The speaker view's strip is one row of the tiles besides the featured one.
  if (layout === 'speaker') return { '--strip-n': Math.max(1, count - 1) } as CSSProperties;
  if (gallery.pageCount <= 1 && count <= 6) return undefined;
  const { cols, rows } = gridShape(count, gallery.shape.cols, gallery.shape.rows);
  // The page controls take a line of their own.
  return { '--cols': cols, '--rows': rows, '--chrome': '3.5rem' } as CSSProperties;
}

/** `/call/:username/:room` and `/r/:room`: the pre-join screen, then the call. */
export default function CallPage() {
  const { username, room = '' } = useParams();
  const problem = (username === undefined ? null : nameProblem(username)) ?? roomProblem(room);
  if (problem) {
    return (
      <main className="home">
        <p role="alert" className="error">
          This call link is not valid: {problem}
        </p>
        <Link to="/">Back to the start page</Link>
      </main>
    );
  }
  return <CallFlow key={`${username ?? ''}/${room}`} username={username} room={room} />;
}

function CallFlow({ username, room }: { username: string | undefined; room: string }) {
  const navigate = useNavigate();
  const [search] = useSearchParams();
  // An invitation token rides in the fragment; it must survive the move to the call's address.
  const { hash } = useLocation();
  const [choice, setChoice] = useState<StartedChoice | null>(() =>
    username === undefined ? null : takeHandOff(room, username),
  );
  useEffect(() => {
    if (choice) settleHandOff(choice);
  }, [choice]);
  if (!choice) {
    return (
      <PreJoin
        room={room}
        initialName={username}
        e2ee={linkE2ee(hash)}
        onJoin={(c) => {
          setSpeakerId(c.speakerId);
          rememberRoom(room);
          // Enter the room now; the call screen renders while the join and the first offer are
          // on their way (a transition: its rendering yields to them).
          const call = startCall(callOptions(c, search, hash));
          const started = { ...c, call };
          if (c.name === username) {
            startTransition(() => setChoice(started));
          } else {
            // The call's address carries the name: go there, with the call already joining.
            handOff(started);
            startTransition(() => void navigate(callPath(c.name, room) + hash, { replace: username === undefined }));
          }
        }}
      />
    );
  }
  return <CallScreen username={choice.name} room={room} choice={choice} />;
}

/** The call's options from the person's choice and the page address. */
function callOptions(choice: JoinChoice, search: URLSearchParams, hash: string): CallOptions {
  const token = invitationToken(hash);
  return {
    room: choice.room,
    name: choice.name,
    relayOnly: search.get('relay') === '1',
    // `?adapt=0` sends every stream at full quality whatever the room size (for comparisons).
    adaptQuality: search.get('adapt') !== '0',
    localMedia: choice.media,
    startMuted: choice.startMuted,
    startCameraOff: choice.startCameraOff,
    ...(token !== undefined ? { token } : {}),
    ...(choice.e2ee ? { roomKey: choice.e2ee.key } : {}),
  };
}

function CallScreen({ username, room, choice }: { username: string; room: string; choice: StartedChoice }) {
  const navigate = useNavigate();
  const { call } = choice;
  const snapshot = useCall(call);
  const [copied, setCopied] = useState(false);
  const features = call ? featuresOf(call) : null;

  const leave = async (): Promise<void> => {
    await call?.leave();
    void navigate('/');
  };
  useEmbedBridge(call, room, () => void leave());
  const meeting = features?.meeting ?? null;
  const present = new Set([snapshot.self?.id, ...snapshot.remotes.map((r) => r.participant.id)]);
  const focus = useMeetingFocus(meeting, (id) => present.has(id));
  const ui = useCallScreen(call, snapshot, () => void leave(), { id: focus.focus, clear: focus.clear });
  const { panel, setPanel, togglePanel } = ui;
  const drop = useFileDrop(features?.files ?? null, () => setPanel('files'));
  // The C shortcut opens and closes the chat.
  useEffect(() => {
    const toggle = (): void => togglePanel('chat');
    window.addEventListener('parley:toggle-chat', toggle);
    return () => window.removeEventListener('parley:toggle-chat', toggle);
  }, [togglePanel]);
  const screens = useScreens(features?.screen ?? null);
  const viewRef = useTileViews(
    call,
    snapshot.remotes,
    screens.filter((s) => !s.local).map((s) => s.participantId),
  );
  const [gridRef, gridSize] = useElementSize();
  const videoRatios = useVideoRatios();

  const copyLink = async (): Promise<void> => {
    // An encrypted room's link carries its key in the fragment (or asks for the passphrase).
    const url = invitationLink(window.location.origin, room, choice.e2ee ?? null);
    try {
      await navigator.clipboard.writeText(url);
      setCopied(true);
      setTimeout(() => setCopied(false), 2_000);
    } catch {
      window.prompt('Copy this link:', url);
    }
  };

  const { media, remotes, self } = snapshot;
  const { gallery } = ui;
  const onPage = gallery.tiles;
  const remoteById = new Map(remotes.map((r) => [r.participant.id, r]));
  // The grid view sizes its tiles to the stage at the videos' ratio; under a shared screen the
  // cameras are a strip, and the speaker view has its own shape (callscreen.css).
  const fit = gridFit(onPage, videoRatios.ratios, gridSize, ui.layout === 'grid' && screens.length === 0);
  const gridStyle = { ...pagedGridStyle(ui.layout, gallery, onPage.length), ...fit.style };
  const hasAudio = snapshot.localStream?.getAudioTracks().length ? true : false;
  const hasVideo = snapshot.localStream?.getVideoTracks().length ? true : false;
  const deviceMenu = {
    devices: ui.devices,
    localTracks: snapshot.localStream?.getTracks() ?? [],
    choose: (kind: 'audio' | 'video', id: string) => void ui.callDevices.choose(kind, id),
    openSettings: () => setPanel('devices'),
  };

  if (snapshot.phase === 'password' || snapshot.phase === 'lobby') {
    return (
      <main className="call call-theme" aria-label={`Call in room ${room}`}>
        <header className="call-header">
          <h1 className="room-name">{room}</h1>
        </header>
        {snapshot.phase === 'password' ? (
          <PasswordPrompt call={call} snapshot={snapshot} onLeave={() => void leave()} />
        ) : (
          <LobbyWait onLeave={() => void leave()} />
        )}
      </main>
    );
  }

  return (
    <main className="call call-theme" aria-label={`Call in room ${room}`} {...drop.handlers}>
      <header className="call-header">
        <h1 className="room-name">{room}</h1>
        <RecordingBadge state={snapshot.recording} selfId={self?.id} />
        {snapshot.e2ee && (
          <E2eeBadge
            source={choice.e2ee?.source ?? 'link'}
            epoch={snapshot.e2ee.epoch}
            // The verification codes are in the People panel.
            onVerify={meeting ? () => setPanel('people') : undefined}
          />
        )}
        <PhaseNote snapshot={snapshot} />
      </header>
      <MediaNotes snapshot={snapshot} />
      <WrongKeyNotice snapshot={snapshot} />
      <AccessNotices call={call} snapshot={snapshot} />
      {drop.problem && (
        <p className="drop-problem error" role="alert">
          {drop.problem}{' '}
          <button type="button" onClick={drop.clearProblem}>
            Dismiss
          </button>
        </p>
      )}
      {drop.dragging && (
        <div className="drop-overlay" aria-hidden="true">
          Drop to offer the file to everyone in the call
        </div>
      )}
      <div className={`call-body${panel ? ' has-panel' : ''}`}>
        <div className="stage-area">
          {features && <ScreenStage screen={features.screen} viewRef={(id) => viewRef('screen', id)} />}
          <section
            ref={gridRef}
            className={`grid grid-${Math.min(onPage.length, 6)} layout-${ui.layout}${fit.fitted ? ' grid-fit' : ''}`}
            aria-label="Participants"
            data-count={onPage.length}
            data-page={gallery.page + 1}
            data-page-count={gallery.pageCount}
            style={gridStyle}
          >
            {onPage.map((id) => {
              if (id === ui.selfId) {
                return (
                  <VideoTile
                    key={SELF_TILE}
                    speaking={ui.speaking.has(ui.selfId)}
                    featured={ui.featured === ui.selfId}
                    local
                    stream={snapshot.localStream}
                    name={self?.name ?? username}
                    participantId={self?.id}
                    audioOn={hasAudio && media.audio}
                    videoOn={hasVideo && media.video}
                    overlay={meeting && self && <TileMeeting meeting={meeting} id={self.id} name="yourself" />}
                    onVideoRatio={videoRatios.report(ui.selfId)}
                    fit={fit.fitOf(ui.selfId)}
                  />
                );
              }
              const r = remoteById.get(id);
              if (!r) return null;
              return (
                <VideoTile
                  key={id}
                  stream={r.stream}
                  tracksVersion={r.tracksVersion}
                  name={r.participant.name}
                  participantId={id}
                  audioOn={r.participant.media.audio}
                  videoOn={r.participant.media.video}
                  status={linkStateText[r.state]}
                  linkState={r.state}
                  speaking={ui.speaking.has(id)}
                  featured={ui.featured === id}
                  pinned={gallery.pinnedShown === id}
                  viewRef={viewRef('camera', id)}
                  extra={<QualityBadge quality={ui.quality.get(id)?.quality ?? 'unknown'} />}
                  overlay={meeting && <TileMeeting meeting={meeting} id={id} name={r.participant.name} />}
                  onVideoRatio={videoRatios.report(id)}
                  fit={fit.fitOf(id)}
                />
              );
            })}
          </section>
          <Pager
            page={gallery.page}
            pageCount={gallery.pageCount}
            goTo={gallery.goTo}
            label={ui.layout === 'grid' ? 'Participant pages' : 'Pages of the participant strip'}
          />
          {snapshot.phase === 'joined' && remotes.length === 0 && (
            <p className="waiting">Waiting for others to join. Share the link to invite them.</p>
          )}
        </div>
        <SidePanel
          features={features}
          open={panel}
          close={() => setPanel(null)}
          selfId={self?.id}
          participants={remotes.map((r) => r.participant)}
          people={
            meeting && (
              <PeoplePanel
                call={call}
                snapshot={snapshot}
                meeting={meeting}
                quality={(id) => ui.quality.get(id)?.quality ?? 'unknown'}
              />
            )
          }
          devices={<DevicesPanel ui={ui} call={call} snapshot={snapshot} />}
          stats={<StatsPanel ui={ui} snapshot={snapshot} />}
        />
      </div>
      <CallScreenExtras ui={ui} call={call} />
      <HostControls call={call} snapshot={snapshot} inPanel={panel === 'people'} />
      <CallNotices call={call} features={features} snapshot={snapshot} panel={panel} openPanel={setPanel} />
      <nav className="controls" aria-label="Call controls">
        <div className="tool-group">
          <MediaToggle
            kind="audio"
            enabled={media.audio}
            available={hasAudio}
            toggle={(on) => call?.setAudioEnabled(on)}
            menu={deviceMenu}
          />
          <MediaToggle
            kind="video"
            enabled={media.video}
            available={hasVideo}
            toggle={(on) => call?.setVideoEnabled(on)}
            menu={deviceMenu}
          />
        </div>
        {features && (
          <div className="tool-group wide-only">
            <ScreenButton screen={features.screen} />
          </div>
        )}
        <div className="tool-group">
          {features && <PanelButtons features={features} open={panel} setOpen={setPanel} />}
          {meeting && (
            <>
              <PeopleButton meeting={meeting} open={panel === 'people'} toggle={() => togglePanel('people')} />
              <ReactionsButton meeting={meeting} disabled={snapshot.phase !== 'joined'} />
              <HandButton meeting={meeting} selfId={self?.id} />
            </>
          )}
        </div>
        <div className="tool-group">
          <PipButton remotes={remotes} speaker={ui.activeSpeaker} pinned={focus.focus} />
          {call && features && <RecordButton call={call} features={features} snapshot={snapshot} />}
          <MoreMenu>
            {features && <ScreenMenuItem screen={features.screen} />}
            {features && <MenuItem icon={FilesIcon} label="Files" narrowOnly onSelect={() => togglePanel('files')} />}
            {call && features && snapshot.phase === 'joined' && <RecordMenuItem call={call} features={features} />}
            <CallScreenMenuItems ui={ui} copied={copied} copyLink={() => void copyLink()} />
          </MoreMenu>
        </div>
        <ToolButton icon={PhoneOff} label="Leave" className="leave" onClick={() => void leave()} />
      </nav>
      {meeting && (
        <MeetingAnnouncer
          meeting={meeting}
          nameOf={(id) => (id === self?.id ? 'You' : remoteById.get(id)?.participant.name)}
        />
      )}
      <p className="sr-only" aria-live="polite">
        {remotes.length === 0 ? 'You are alone in the call.' : `${remotes.length + 1} people in the call.`}
      </p>
    </main>
  );
}

function PhaseNote({ snapshot }: { snapshot: CallSnapshot }) {
  switch (snapshot.phase) {
    case 'starting':
      return <p className="phase">Joining…</p>;
    case 'reconnecting':
      return (
        <p className="phase warn" role="status">
          {snapshot.serverRestarting
            ? 'The server is restarting. Reconnecting…'
            : 'Connection to the server lost. Reconnecting…'}
        </p>
      );
    case 'failed':
      return (
        <p className="phase error" role="alert">
          {callErrorText(snapshot.error)} <Link to="/">Back to the start page</Link>
        </p>
      );
    default:
      return null;
  }
}

function MediaNotes({ snapshot }: { snapshot: CallSnapshot }) {
  const notes: string[] = [];
  const { audio, video } = snapshot.mediaProblems;
  if (video) notes.push(problemText[video]('camera'));
  if (audio) notes.push(problemText[audio]('microphone'));
  if (notes.length === 0) return null;
  return (
    <div className="media-notes" role="status">
      {notes.map((n) => (
        <p key={n}>{n} You can still join and see and hear the others.</p>
      ))}
    </div>
  );
}
