import { useEffect, useRef, useState, useSyncExternalStore, type ReactNode } from 'react';
import { applySpeaker, onSpeakerChange, speakerId } from '../devices/speaker';

export interface VideoTileProps {
  stream: MediaStream | null;
  name: string;
  /** Local preview: muted (no echo) and mirrored. */
  local?: boolean;
  participantId?: string;
  audioOn: boolean;
  videoOn: boolean;
  /** Connection state shown on the tile when not connected. */
  status?: string;
  /** The link's state, exposed as `data-link-state` for styling and tests. */
  linkState?: string;
  /** Changes when the stream's tracks change, so the element is re-attached. */
  tracksVersion?: number;
  /** Talking now: the tile is outlined. */
  speaking?: boolean;
  /** Shown large in the speaker layout. */
  featured?: boolean;
  /** Extra indicators in the label (connection quality). */
  extra?: ReactNode;
  /** Shown here though their own place is on another page (the active speaker). */
  pinned?: boolean;
  /** Receives the tile's element, so that its rendered size can be reported. */
  viewRef?: (el: HTMLElement | null) => void;
  /** Laid over the video (raised hand, reactions, pin). */
  overlay?: ReactNode;
  /** Told the video's aspect ratio (videoWidth / videoHeight) when it is known or changes; null without a picture. */
  onVideoRatio?: (ratio: number | null) => void;
  /** How the video fills the tile: cropped to it (cover, the default) or shown whole on the tile's dark background. */
  fit?: 'cover' | 'contain';
}

/** One participant's video with name label and mute/camera-off indicators. */
export function VideoTile(props: VideoTileProps) {
  const { stream, name, local = false, participantId, audioOn, videoOn, status, linkState, tracksVersion } = props;
  const {
    speaking = false,
    featured = false,
    extra,
    pinned = false,
    viewRef,
    overlay,
    onVideoRatio,
    fit = 'cover',
  } = props;
  const ref = useRef<HTMLVideoElement>(null);
  const [needsClick, setNeedsClick] = useState(false);
  const speaker = useSyncExternalStore(onSpeakerChange, speakerId);

  useEffect(() => {
    if (!local && ref.current && speaker) void applySpeaker(ref.current, speaker);
  }, [local, speaker]);

  useEffect(() => {
    const video = ref.current;
    if (!video) return;
    if (video.srcObject !== stream) video.srcObject = stream;
    if (!stream) return;
    video.play().catch(() => {
      if (local) return;
      // Autoplay with sound was refused: play muted and ask for one click to turn sound on.
      video.muted = true;
      setNeedsClick(true);
      void video.play().catch(() => undefined);
    });
    if (!local && participantId) {
      const markOnce = (name: string, startTime?: number): void => {
        if (performance.getEntriesByName(name).length > 0) return;
        performance.mark(name, startTime === undefined ? undefined : { startTime });
      };
      if (stream.getVideoTracks().length > 0) markOnce(`parley:video-attached:${participantId}`);
      const markFirstFrame = (_now?: number, meta?: VideoFrameCallbackMetadata): void => {
        // When its last packet arrived (WebRTC sources only): the rest is decoding and drawing.
        if (meta?.receiveTime !== undefined) markOnce(`parley:frame-received:${participantId}`, meta.receiveTime);
        markOnce(`parley:first-frame:${participantId}`);
      };
      // Browsers without per-frame callbacks: the first frame is ready when `loadeddata` fires.
      if ('requestVideoFrameCallback' in video) video.requestVideoFrameCallback(markFirstFrame);
      else (video as HTMLVideoElement).addEventListener('loadeddata', () => markFirstFrame(), { once: true });
    }
  }, [stream, local, participantId, tracksVersion]);

  // The picture's shape, for the grid's tile shape: known once a frame has arrived ('resize' also
  // fires when the sender changes resolution or turns a phone).
  useEffect(() => {
    const video = ref.current;
    if (!video || !onVideoRatio) return;
    if (!videoOn) {
      onVideoRatio(null);
      return;
    }
    const tell = (): void => {
      if (video.videoWidth > 0 && video.videoHeight > 0) onVideoRatio(video.videoWidth / video.videoHeight);
    };
    tell();
    video.addEventListener('resize', tell);
    video.addEventListener('loadedmetadata', tell);
    return () => {
      video.removeEventListener('resize', tell);
      video.removeEventListener('loadedmetadata', tell);
    };
  }, [onVideoRatio, videoOn, stream, tracksVersion]);
  useEffect(() => () => onVideoRatio?.(null), [onVideoRatio]);

  const enableSound = (): void => {
    const video = ref.current;
    if (!video) return;
    video.muted = false;
    void video.play().then(() => setNeedsClick(false));
  };

  return (
    <figure
      ref={viewRef}
      className={`tile${local ? ' tile-local' : ''}${speaking ? ' tile-speaking' : ''}${featured ? ' tile-featured' : ''}`}
      data-participant-id={participantId}
      data-speaking={speaking ? 'true' : undefined}
      data-testid={local ? 'local-tile' : 'remote-tile'}
      data-link-state={linkState}
      data-pinned={pinned ? 'true' : undefined}
      aria-busy={status ? true : undefined}
    >
      <video
        ref={ref}
        autoPlay
        playsInline
        muted={local}
        className={
          [local ? 'mirrored' : '', fit === 'contain' ? 'fit-contain' : ''].filter(Boolean).join(' ') || undefined
        }
        data-fit={fit}
        aria-label={local ? 'Your camera' : `${name}'s video`}
      />
      {!videoOn && (
        <div className="tile-placeholder" aria-hidden="true">
          {name.slice(0, 1).toUpperCase()}
        </div>
      )}
      <figcaption className="tile-label">
        <span className="tile-name">{local ? `${name} (you)` : name}</span>
        {!audioOn && (
          <span
            className="badge"
            role="img"
            aria-label="microphone off"
            title="Microphone off"
            data-testid="muted-indicator"
          >
            🔇
          </span>
        )}
        {!videoOn && (
          <span className="badge" role="img" aria-label="camera off" title="Camera off">
            📷̸
          </span>
        )}
        {speaking && <span className="sr-only">speaking</span>}
        {extra}
        {status && (
          <span className="tile-status" role="status">
            {status}
          </span>
        )}
      </figcaption>
      {overlay}
      {needsClick && (
        <button type="button" className="tile-sound" onClick={enableSound}>
          Turn on sound
        </button>
      )}
    </figure>
  );
}
