import { PictureInPicture2 } from 'lucide-react';
import { ToolButton } from '../callscreen/ToolButton';
import './pip.css';
import { useEffect, useRef, useState } from 'react';
import type { RemoteView } from '../media/Call';
import { pipSupported, pipTarget, type PipCandidate } from './pipTarget';

/** How long to wait for the chosen person's video to be ready before opening the window. */
const METADATA_WAIT_MS = 3_000;

function candidates(remotes: readonly RemoteView[]): PipCandidate[] {
  return remotes.map((r) => ({
    id: r.participant.id,
    videoOn: r.participant.media.video && r.stream.getVideoTracks().length > 0,
  }));
}

function show(v: HTMLVideoElement, id: string, stream: MediaStream): void {
  v.dataset.participantId = id;
  if (v.srcObject === stream) return;
  v.srcObject = stream;
  void v.play().catch(() => undefined);
}

function metadata(v: HTMLVideoElement): Promise<void> {
  if (v.readyState >= HTMLMediaElement.HAVE_METADATA) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(done, METADATA_WAIT_MS);
    v.addEventListener('loadedmetadata', done, { once: true });
  });
}

/**
 * "Picture in picture": pops the pinned tile, else the active speaker, out into the browser's
 * picture-in-picture window, and follows the speaker while it is open. Not shown where the
 * browser has no such window for a video (Firefox). The window plays a muted copy (the tiles
 * play the sound).
 */
export function PipButton({
  remotes,
  speaker,
  pinned = null,
}: {
  remotes: readonly RemoteView[];
  speaker: string | null;
  pinned?: string | null;
}) {
  const [supported] = useState(pipSupported);
  const ref = useRef<HTMLVideoElement>(null);
  const shown = useRef<string | null>(null);
  const [active, setActive] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    const v = ref.current;
    if (!v) return;
    const enter = (): void => setActive(true);
    const leave = (): void => {
      setActive(false);
      shown.current = null;
      v.srcObject = null;
      delete v.dataset.participantId;
    };
    v.addEventListener('enterpictureinpicture', enter);
    v.addEventListener('leavepictureinpicture', leave);
    return () => {
      v.removeEventListener('enterpictureinpicture', enter);
      v.removeEventListener('leavepictureinpicture', leave);
      if (document.pictureInPictureElement === v) void document.exitPictureInPicture().catch(() => undefined);
    };
  }, [supported]);

  // While the window is open, it follows the pinned tile or the speaker.
  useEffect(() => {
    const v = ref.current;
    if (!active || !v) return;
    const id = pipTarget({ pinned, speaker, current: shown.current, remotes: candidates(remotes) });
    const stream = remotes.find((r) => r.participant.id === id)?.stream;
    if (id === null || !stream) {
      // Nobody left to show but a blank: close the window.
      void document.exitPictureInPicture().catch(() => undefined);
      return;
    }
    shown.current = id;
    show(v, id, stream);
  }, [active, pinned, speaker, remotes]);

  if (!supported) return null;
  const available = pipTarget({ pinned, speaker, current: null, remotes: candidates(remotes) }) !== null;

  const toggle = async (): Promise<void> => {
    const v = ref.current;
    if (!v) return;
    setProblem(null);
    if (document.pictureInPictureElement === v) {
      await document.exitPictureInPicture().catch(() => undefined);
      return;
    }
    const id = pipTarget({ pinned, speaker, current: null, remotes: candidates(remotes) });
    const stream = remotes.find((r) => r.participant.id === id)?.stream;
    if (id === null || !stream) return;
    shown.current = id;
    show(v, id, stream);
    try {
      await metadata(v);
      await v.requestPictureInPicture();
    } catch {
      setProblem('The picture-in-picture window could not be opened.');
    }
  };

  return (
    <>
      <ToolButton
        icon={PictureInPicture2}
        label="Picture in picture"
        className="wide-only"
        aria-pressed={active}
        disabled={!active && !available}
        onClick={() => void toggle()}
      />
      <video
        ref={ref}
        className="pip-source"
        muted
        playsInline
        aria-hidden="true"
        tabIndex={-1}
        data-testid="pip-video"
      />
      {problem && (
        <span role="alert" className="error">
          {problem}
        </span>
      )}
    </>
  );
}
