import { useSyncExternalStore, type ReactNode } from 'react';
import type { NoiseControl } from '../audio/noise/NoiseControl';
import { CallNoiseToggle } from '../audio/noise/NoiseToggle';
import { sourceOf } from '../video/background/effect';
import { DeviceSelect } from './DeviceSelect';
import { canChooseSpeaker, trackDeviceId, type DeviceLists } from './devices';
import { chooseSpeaker, onSpeakerChange, speakerId } from './speaker';

export interface DeviceSettingsProps {
  devices: DeviceLists;
  localTracks: MediaStreamTrack[];
  choose: (kind: 'audio' | 'video', deviceId: string) => void;
  problem: string | null;
  /** The call's noise suppression (its toggle shows under the microphone). */
  noise?: NoiseControl | null;
  /** More settings shown under the pickers (the background effect). */
  children?: ReactNode;
}

/** Camera, microphone and speaker pickers for the running call. */
export function DeviceSettings({ devices, localTracks, choose, problem, noise, children }: DeviceSettingsProps) {
  const speaker = useSyncExternalStore(onSpeakerChange, speakerId);
  // The camera behind a processed track (background effect) is the device in use.
  const shownVideo = localTracks.find((t) => t.kind === 'video');
  const video = shownVideo && sourceOf(shownVideo);
  const audio = localTracks.find((t) => t.kind === 'audio');
  return (
    <section className="side-panel device-settings" aria-labelledby="device-settings-title">
      <h2 id="device-settings-title">Devices</h2>
      <DeviceSelect
        label="Camera"
        options={devices.videoinput}
        value={trackDeviceId(video)}
        onChange={(id) => choose('video', id)}
      />
      <DeviceSelect
        label="Microphone"
        options={devices.audioinput}
        value={trackDeviceId(audio)}
        onChange={(id) => choose('audio', id)}
      />
      {noise && <CallNoiseToggle control={noise} />}
      {canChooseSpeaker() && (
        <DeviceSelect
          label="Speaker"
          options={devices.audiooutput}
          value={speaker || devices.audiooutput[0]?.deviceId}
          onChange={chooseSpeaker}
        />
      )}
      {children}
      {problem && (
        <p className="field-error" role="alert">
          {problem}
        </p>
      )}
    </section>
  );
}
