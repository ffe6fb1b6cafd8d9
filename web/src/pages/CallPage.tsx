import { nameProblem, roomProblem } from '@parley/protocol/limits';
import { useState } from 'react';
import { Link, useLocation, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { featuresOf } from '../callFeatures';
import { PanelButtons, SidePanel, type PanelName } from '../components/SidePanel';
import { VideoTile } from '../components/VideoTile';
import { AccessNotices, LobbyWait, PasswordPrompt } from '../host/AccessGate';
import { HostControls } from '../host/HostControls';
import { invitationToken } from '../host/invitation';
import { useCall } from '../hooks/useCall';
import type { CallSnapshot } from '../media/Call';
import { problemText } from '../media/localMedia';
import { ScreenButton, ScreenStage } from '../screen/ScreenStage';

const linkStateText: Record<string, string | undefined> = {
  connecting: 'connecting…',
  reconnecting: 'reconnecting…',
  failed: 'connection failed',
};

export default function CallPage() {
  const { username = '', room = '' } = useParams();
  const problem = nameProblem(username) ?? roomProblem(room);
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
  return <CallScreen username={username} room={room} />;
}

function CallScreen({ username, room }: { username: string; room: string }) {
  const [search] = useSearchParams();
  const navigate = useNavigate();
  const token = invitationToken(useLocation().hash);
  const { call, snapshot } = useCall({ room, name: username, relayOnly: search.get('relay') === '1', token });
  const [copied, setCopied] = useState(false);
  const [panel, setPanel] = useState<PanelName | null>(null);
  const features = call ? featuresOf(call) : null;

  const leave = async (): Promise<void> => {
    await call?.leave();
    void navigate('/');
  };

  const copyLink = async (): Promise<void> => {
    const url = `${window.location.origin}/r/${encodeURIComponent(room)}`;
    try {
      await navigator.clipboard.writeText(url);
      setCopied(true);
      setTimeout(() => setCopied(false), 2_000);
    } catch {
      window.prompt('Copy this link:', url);
    }
  };

  const { media, remotes, self } = snapshot;
  const hasAudio = snapshot.localStream?.getAudioTracks().length ? true : false;
  const hasVideo = snapshot.localStream?.getVideoTracks().length ? true : false;

  if (snapshot.phase === 'password' || snapshot.phase === 'lobby') {
    return (
      <main className="call" aria-label={`Call in room ${room}`}>
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
    <main className="call" aria-label={`Call in room ${room}`}>
      <header className="call-header">
        <h1 className="room-name">{room}</h1>
        <PhaseNote snapshot={snapshot} />
      </header>
      <MediaNotes snapshot={snapshot} />
      <AccessNotices call={call} snapshot={snapshot} />
      {features && <ScreenStage screen={features.screen} />}
      <section className={`grid grid-${Math.min(remotes.length + 1, 6)}`} aria-label="Participants">
        <VideoTile
          local
          stream={snapshot.localStream}
          name={self?.name ?? username}
          participantId={self?.id}
          audioOn={hasAudio && media.audio}
          videoOn={hasVideo && media.video}
        />
        {remotes.map((r) => (
          <VideoTile
            key={r.participant.id}
            stream={r.stream}
            tracksVersion={r.tracksVersion}
            name={r.participant.name}
            participantId={r.participant.id}
            audioOn={r.participant.media.audio}
            videoOn={r.participant.media.video}
            status={linkStateText[r.link]}
          />
        ))}
      </section>
      {snapshot.phase === 'joined' && remotes.length === 0 && (
        <p className="waiting">Waiting for others to join. Share the link to invite them.</p>
      )}
      <HostControls call={call} snapshot={snapshot} />
      <nav className="controls" aria-label="Call controls">
        <button
          type="button"
          aria-pressed={!media.audio}
          disabled={!hasAudio}
          onClick={() => call?.setAudioEnabled(!media.audio)}
        >
          {media.audio ? 'Mute' : 'Unmute'}
        </button>
        <button
          type="button"
          aria-pressed={!media.video}
          disabled={!hasVideo}
          onClick={() => call?.setVideoEnabled(!media.video)}
        >
          {media.video ? 'Camera off' : 'Camera on'}
        </button>
        {features && <ScreenButton screen={features.screen} />}
        {features && <PanelButtons features={features} open={panel} setOpen={setPanel} />}
        <button type="button" onClick={() => void copyLink()}>
          {copied ? 'Link copied' : 'Copy link'}
        </button>
        <button type="button" className="danger" onClick={() => void leave()}>
          Leave
        </button>
      </nav>
      {features && (
        <SidePanel
          features={features}
          open={panel}
          selfId={self?.id}
          participants={remotes.map((r) => r.participant)}
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
          {snapshot.error?.id === 'room-full'
            ? 'This room is full. Try another room.'
            : (snapshot.error?.message ?? 'The call ended unexpectedly.')}{' '}
          <Link to="/">Back to the start page</Link>
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
