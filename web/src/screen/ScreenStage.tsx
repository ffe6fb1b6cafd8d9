import { MonitorUp, ScreenShareOff } from 'lucide-react';
import { MenuItem } from '../callscreen/MoreMenu';
import { ToolButton } from '../callscreen/ToolButton';
import { useEffect, useRef, useState } from 'react';
import { applySpeaker, onSpeakerChange, speakerId } from '../devices/speaker';
import { useEmitterValue } from '../hooks/useEmitterValue';
import type { ScreenShare, ScreenSound, ScreenView } from './ScreenShare';

const none: ScreenView[] = [];
const noSounds: ScreenSound[] = [];

/** The screens being shared now (yours included). */
export function useScreens(screen: ScreenShare | null): ScreenView[] {
  return useEmitterValue(screen, (s) => s.screens, none);
}

/**
 * The presentation area: one large tile per shared screen, shown while anyone shares.
 * `viewRef` receives each remote screen tile's element, so that its size can be reported.
 */
export function ScreenStage({
  screen,
  viewRef,
}: {
  screen: ScreenShare;
  viewRef?: (participantId: string) => ((el: HTMLElement | null) => void) | undefined;
}) {
  const screens = useScreens(screen);
  return (
    <>
      <ScreenSounds screen={screen} />
      {screens.length > 0 && (
        <section className={`stage stage-${Math.min(screens.length, 4)}`} aria-label="Shared screens">
          {screens.map((s) => (
            <ScreenTile key={s.key} view={s} viewRef={s.local ? undefined : viewRef?.(s.participantId)} />
          ))}
        </section>
      )}
    </>
  );
}

/** Others' shared sounds, played on the chosen speaker (ours is never among them). */
function ScreenSounds({ screen }: { screen: ScreenShare }) {
  const sounds = useEmitterValue(screen, (s) => s.sounds, noSounds);
  return (
    <>
      {sounds.map((s) => (
        <ScreenSoundPlayer key={s.key} sound={s} />
      ))}
    </>
  );
}

function ScreenSoundPlayer({ sound }: { sound: ScreenSound }) {
  const ref = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.srcObject = sound.stream;
    void el.play().catch(() => undefined);
    void applySpeaker(el, speakerId());
    return onSpeakerChange(() => void applySpeaker(el, speakerId()));
  }, [sound.stream]);
  return <audio ref={ref} autoPlay data-role="screen-audio" data-participant-id={sound.participantId} />;
}

function ScreenTile({ view, viewRef }: { view: ScreenView; viewRef?: ((el: HTMLElement | null) => void) | undefined }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const v = ref.current;
    if (!v) return;
    v.srcObject = view.stream;
    void v.play().catch(() => undefined);
  }, [view.stream]);
  const label = view.local ? 'Your screen (shared with everyone)' : `${view.name}'s screen`;
  return (
    <figure
      ref={viewRef}
      className="tile tile-screen"
      data-testid="screen-tile"
      data-participant-id={view.participantId}
    >
      <video ref={ref} autoPlay playsInline muted aria-label={label} />
      <figcaption className="tile-label">
        <span className="tile-name">{label}</span>
      </figcaption>
    </figure>
  );
}

/** The Share screen / Stop sharing button. */
export function ScreenButton({ screen, className }: { screen: ScreenShare; className?: string }) {
  const sharing = useEmitterValue(screen, (s) => s.sharing, false);
  const [problem, setProblem] = useState<string | null>(null);
  return (
    <>
      <ToolButton
        icon={sharing ? ScreenShareOff : MonitorUp}
        label={sharing ? 'Stop sharing' : 'Share screen'}
        className={className}
        aria-pressed={sharing}
        onClick={() => {
          if (sharing) screen.stop();
          else void screen.start().then(setProblem);
        }}
      />
      {problem && (
        <span role="alert" className="error">
          {problem}
        </span>
      )}
    </>
  );
}

/** Share screen / Stop sharing as an item of the More menu (where the toolbar has no room for it). */
export function ScreenMenuItem({ screen }: { screen: ScreenShare }) {
  const sharing = useEmitterValue(screen, (s) => s.sharing, false);
  return (
    <MenuItem
      icon={sharing ? ScreenShareOff : MonitorUp}
      label={sharing ? 'Stop sharing' : 'Share screen'}
      narrowOnly
      onSelect={() => {
        if (sharing) screen.stop();
        else void screen.start();
      }}
    />
  );
}
