import { ChevronUp, Settings } from 'lucide-react';
import { useSyncExternalStore } from 'react';
import { MenuButton, MenuItem } from '../callscreen/MoreMenu';
import { sourceOf } from '../video/background/effect';
import { canChooseSpeaker, trackDeviceId, type DeviceLists, type DeviceOption } from './devices';
import { chooseSpeaker, onSpeakerChange, speakerId } from './speaker';

export interface DeviceMenuProps {
  kind: 'audio' | 'video';
  devices: DeviceLists;
  localTracks: MediaStreamTrack[];
  choose: (kind: 'audio' | 'video', deviceId: string) => void;
  /** Opens the Devices panel (noise suppression, background, the speaker where it cannot be chosen here). */
  openSettings: () => void;
}

/** A menu's list of devices of one kind, the one in use checked. */
function Choices({
  title,
  options,
  current,
  onChoose,
}: {
  title: string;
  options: DeviceOption[];
  current: string | undefined;
  onChoose: (deviceId: string) => void;
}) {
  return (
    <div role="group" aria-label={title} className="menu-group">
      <div className="menu-group-title" aria-hidden="true">
        {title}
      </div>
      {options.length === 0 && <div className="menu-empty">None found</div>}
      {options.map((o) => (
        <button
          key={o.deviceId}
          type="button"
          role="menuitemradio"
          tabIndex={-1}
          aria-checked={o.deviceId === current}
          className="menu-item menu-radio"
          onClick={() => {
            if (o.deviceId !== current) onChoose(o.deviceId);
          }}
        >
          <span className="menu-check" aria-hidden="true">
            {o.deviceId === current ? '✓' : ''}
          </span>
          <span>{o.label}</span>
        </button>
      ))}
    </div>
  );
}

/**
 * The small menu beside the microphone or camera button: the devices of that kind to switch to
 * in the call (and, beside the microphone, the speakers where the browser lets a page choose),
 * then a way to the Devices panel.
 */
export function DeviceMenu({ kind, devices, localTracks, choose, openSettings }: DeviceMenuProps) {
  const speaker = useSyncExternalStore(onSpeakerChange, speakerId);
  const track = localTracks.find((t) => t.kind === kind);
  // The camera behind a processed track (background effect) is the device in use.
  const current = trackDeviceId(kind === 'video' && track ? sourceOf(track) : track);
  const label = kind === 'audio' ? 'Microphone options' : 'Camera options';
  return (
    <MenuButton
      label={label}
      icon={ChevronUp}
      iconSize={16}
      className="tool tool-caret"
      menuClassName="more-menu device-menu"
    >
      <Choices
        title={kind === 'audio' ? 'Microphone' : 'Camera'}
        options={kind === 'audio' ? devices.audioinput : devices.videoinput}
        current={current}
        onChoose={(id) => choose(kind, id)}
      />
      {kind === 'audio' && canChooseSpeaker() && devices.audiooutput.length > 0 && (
        <Choices
          title="Speaker"
          options={devices.audiooutput}
          current={speaker || devices.audiooutput[0]?.deviceId}
          onChoose={chooseSpeaker}
        />
      )}
      <div role="separator" className="menu-separator" />
      <MenuItem icon={Settings} label="Device settings" onSelect={openSettings} />
    </MenuButton>
  );
}
