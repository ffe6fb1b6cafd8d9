import { nameProblem, normalizeName } from '@parley/protocol/limits';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { DeviceSelect } from '../devices/DeviceSelect';
import { canChooseSpeaker, trackDeviceId } from '../devices/devices';
import { loadPreferences, savePreferences } from '../devices/preferences';
import { useDevices } from '../devices/useDevices';
import { problemText } from '../media/localMedia';
import { rememberName, rememberedName } from '../names';
import type { JoinChoice } from './handoff';
import { MicMeter } from './MicMeter';
import { usePreview } from './usePreview';
import { usePreparedLink } from './usePreparedLink';
import { NameField } from '../components/NameField';
import { NoiseToggle } from '../audio/noise/NoiseToggle';
import { preloadSuppressor } from '../audio/noise/noiseOf';
import { BackgroundPicker } from '../video/background/BackgroundPicker';
import { useBackgroundPreview } from '../video/background/useBackground';
import type { LinkE2ee } from '../e2ee/linkChoice';
import { PASSPHRASE_MIN_LENGTH, roomKeyFromPassphrase } from '../e2ee/roomKey';

export interface PreJoinProps {
  room: string;
  /** The name from the call address, if any; else the remembered one. */
  initialName?: string;
  /** What the address says about end-to-end encryption (default: nothing). */
  e2ee?: LinkE2ee;
  onJoin: (choice: JoinChoice) => void;
}

/**
 * Before entering a room: see yourself, check the microphone, pick devices, choose to join muted
 * or with the camera off, confirm the name. The open camera and microphone go on into the call.
 */
export function PreJoin({ room, initialName, e2ee = { mode: 'off' }, onJoin }: PreJoinProps) {
  const [prefs] = useState(loadPreferences);
  const preview = usePreview({ audio: prefs.audioinput, video: prefs.videoinput });
  const { media } = preview;
  const devices = useDevices(media);
  const [name, setName] = useState(() => initialName ?? rememberedName());
  const [muted, setMuted] = useState(prefs.joinMuted ?? false);
  const [cameraOff, setCameraOff] = useState(prefs.joinCameraOff ?? false);
  const [speaker, setSpeaker] = useState(prefs.audiooutput ?? '');
  const [noise, setNoise] = useState(prefs.noiseSuppression ?? false);
  const [touched, setTouched] = useState(false);
  const ids = { muted: useId(), cameraOff: useId(), e2ee: useId(), passphrase: useId(), passErr: useId() };
  const [usePassphrase, setUsePassphrase] = useState(e2ee.mode === 'passphrase');
  const [passphrase, setPassphrase] = useState('');
  const [deriving, setDeriving] = useState(false);
  const passErr =
    touched && usePassphrase && passphrase.length < PASSPHRASE_MIN_LENGTH
      ? `A passphrase needs at least ${PASSPHRASE_MIN_LENGTH} characters.`
      : null;
  const videoRef = useRef<HTMLVideoElement>(null);
  const nameErr = touched ? nameProblem(name) : null;

  const preparing = usePreparedLink(media?.stream ?? null, room);
  const videoTrack = media?.stream.getVideoTracks()[0];
  const audioTrack = media?.stream.getAudioTracks()[0];
  const background = useBackgroundPreview(videoTrack);
  const shown = background.shown;

  useEffect(() => {
    const v = videoRef.current;
    if (!v || !media) return;
    // The processed camera when a background effect is on, else the camera as it is.
    if (shown && shown !== videoTrack) {
      if ((v.srcObject as MediaStream | null)?.getVideoTracks()[0] !== shown) v.srcObject = new MediaStream([shown]);
    } else if (v.srcObject !== media.stream) v.srcObject = media.stream;
  }, [media, shown, videoTrack]);

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    setTouched(true);
    if (nameProblem(name) || !media || e2ee.mode === 'broken' || deriving) return;
    if (e2ee.mode !== 'link' && usePassphrase) {
      if (passphrase.length < PASSPHRASE_MIN_LENGTH) return;
      // PBKDF2 with many rounds: a moment, once, before the call starts.
      setDeriving(true);
      void roomKeyFromPassphrase(passphrase, room).then(
        (key) => {
          setDeriving(false);
          join({ key, source: 'passphrase' });
        },
        () => setDeriving(false),
      );
      return;
    }
    join(e2ee.mode === 'link' ? { key: e2ee.key, source: 'link' } : undefined);
  };

  const join = (crypt: JoinChoice['e2ee']): void => {
    if (!media) return;
    performance.mark('parley:join-click');
    const clean = normalizeName(name);
    rememberName(clean);
    savePreferences({ joinMuted: muted, joinCameraOff: cameraOff, audiooutput: speaker });
    const released = preview.release();
    if (!released) return;
    const owned = { ...released, stream: background.handOver(released.stream) };
    preparing.keep();
    onJoin({
      name: clean,
      room,
      media: owned,
      startMuted: muted,
      startCameraOff: cameraOff,
      speakerId: speaker,
      ...(crypt ? { e2ee: crypt } : {}),
    });
  };

  const chooseDevice = (kind: 'audio' | 'video', id: string): void => {
    savePreferences(kind === 'audio' ? { audioinput: id } : { videoinput: id });
    void preview.choose(kind, id);
  };

  // The call reads the remembered choice when it starts; fetch RNNoise's code meanwhile.
  const chooseNoise = (on: boolean): void => {
    setNoise(on);
    savePreferences({ noiseSuppression: on });
    if (on) preloadSuppressor();
  };
  useEffect(() => {
    if (prefs.noiseSuppression) preloadSuppressor();
  }, [prefs]);

  const problems = media ? (['video', 'audio'] as const).filter((k) => media.problems[k]) : [];
  const showVideo = videoTrack && !cameraOff;

  return (
    <main className="prejoin" aria-labelledby="prejoin-title">
      <h1 id="prejoin-title" className="prejoin-title">
        Ready to join <span className="room-chip">{room}</span>?
      </h1>
      <div className="prejoin-body">
        <div className="prejoin-preview">
          <figure className="tile tile-local">
            <video ref={videoRef} autoPlay playsInline muted className="mirrored" aria-label="Your camera preview" />
            {!showVideo && (
              <div className="tile-placeholder" aria-hidden="true">
                {media ? normalizeName(name).slice(0, 1).toUpperCase() || '?' : '…'}
              </div>
            )}
            <figcaption className="tile-label">
              {!media ? 'Starting your camera…' : showVideo ? 'Your camera' : 'Camera off'}
            </figcaption>
          </figure>
          <MicMeter track={audioTrack} muted={muted} />
          {problems.length > 0 && (
            <div className="media-notes" role="status">
              {problems.map((k) => {
                const p = media?.problems[k];
                return p ? <p key={k}>{problemText[p](k === 'video' ? 'camera' : 'microphone')}</p> : null;
              })}
              <p>You can still join and see and hear the others.</p>
            </div>
          )}
        </div>
        <form className="join-form prejoin-form" onSubmit={submit} noValidate>
          <NameField value={name} onChange={setName} error={nameErr} />
          <DeviceSelect
            label="Camera"
            options={devices.videoinput}
            value={trackDeviceId(videoTrack)}
            onChange={(id) => chooseDevice('video', id)}
          />
          <DeviceSelect
            label="Microphone"
            options={devices.audioinput}
            value={trackDeviceId(audioTrack)}
            onChange={(id) => chooseDevice('audio', id)}
          />
          {canChooseSpeaker() && (
            <DeviceSelect
              label="Speaker"
              options={devices.audiooutput}
              value={speaker || devices.audiooutput[0]?.deviceId}
              onChange={setSpeaker}
            />
          )}
          <NoiseToggle on={noise} onChange={chooseNoise} />
          <BackgroundPicker mode={background.mode} state={background.state} onChoose={background.choose} />
          <div className="check-row">
            <input id={ids.muted} type="checkbox" checked={muted} onChange={(e) => setMuted(e.target.checked)} />
            <label htmlFor={ids.muted}>Join muted</label>
          </div>
          <div className="check-row">
            <input
              id={ids.cameraOff}
              type="checkbox"
              checked={cameraOff}
              onChange={(e) => setCameraOff(e.target.checked)}
            />
            <label htmlFor={ids.cameraOff}>Join with camera off</label>
          </div>
          <E2eeChoice
            e2ee={e2ee}
            ids={ids}
            usePassphrase={usePassphrase}
            setUsePassphrase={setUsePassphrase}
            passphrase={passphrase}
            setPassphrase={setPassphrase}
            error={passErr}
          />
          <button
            type="submit"
            className="primary"
            disabled={!media || e2ee.mode === 'broken' || deriving}
            aria-describedby={undefined}
          >
            {!media ? 'Starting devices…' : deriving ? 'Making the room key…' : 'Join'}
          </button>
        </form>
      </div>
    </main>
  );
}

/** End-to-end encryption on the pre-join screen: the key in the link, or a passphrase typed here. */
function E2eeChoice(props: {
  e2ee: LinkE2ee;
  ids: { e2ee: string; passphrase: string; passErr: string };
  usePassphrase: boolean;
  setUsePassphrase: (on: boolean) => void;
  passphrase: string;
  setPassphrase: (text: string) => void;
  error: string | null;
}) {
  const { e2ee, ids } = props;
  if (e2ee.mode === 'link') {
    return (
      <p className="e2ee-note" data-testid="e2ee-note">
        🔒 End-to-end encrypted: the room key is in your link and never goes to the server.
      </p>
    );
  }
  if (e2ee.mode === 'broken') {
    return (
      <p className="error" role="alert">
        The encryption key in this link is damaged: {e2ee.problem}. Ask for the link again.
      </p>
    );
  }
  return (
    <>
      <div className="check-row">
        <input
          id={ids.e2ee}
          type="checkbox"
          checked={props.usePassphrase}
          onChange={(e) => props.setUsePassphrase(e.target.checked)}
        />
        <label htmlFor={ids.e2ee}>End-to-end encryption with a passphrase</label>
      </div>
      {props.usePassphrase && (
        <>
          <label htmlFor={ids.passphrase}>Passphrase</label>
          <input
            id={ids.passphrase}
            type="password"
            autoComplete="off"
            value={props.passphrase}
            onChange={(e) => props.setPassphrase(e.target.value)}
            aria-invalid={props.error ? true : undefined}
            aria-describedby={props.error ? ids.passErr : undefined}
          />
          {props.error && (
            <p id={ids.passErr} className="field-error" role="alert">
              {props.error}
            </p>
          )}
        </>
      )}
    </>
  );
}
