import { Mic, MicOff, Video, VideoOff } from 'lucide-react';
import { DeviceMenu, type DeviceMenuProps } from '../devices/DeviceMenu';
import { ToolButton } from './ToolButton';

const LOOK = {
  audio: { on: Mic, off: MicOff, turnOff: 'Mute', turnOn: 'Unmute' },
  video: { on: Video, off: VideoOff, turnOff: 'Camera off', turnOn: 'Camera on' },
} as const;

/**
 * The microphone or camera button with its device menu beside it: pressed while the device is
 * off, disabled (and without a menu) when the call has no such device.
 */
export function MediaToggle({
  kind,
  enabled,
  available,
  toggle,
  menu,
}: {
  kind: 'audio' | 'video';
  /** Whether the device is sending. */
  enabled: boolean;
  /** Whether the call has a track of this kind at all. */
  available: boolean;
  toggle: (enabled: boolean) => void;
  menu: Omit<DeviceMenuProps, 'kind'>;
}) {
  const look = LOOK[kind];
  return (
    <div className="tool-split">
      <ToolButton
        icon={enabled ? look.on : look.off}
        label={enabled ? look.turnOff : look.turnOn}
        className="off-when-pressed"
        aria-pressed={!enabled}
        disabled={!available}
        onClick={() => toggle(!enabled)}
      />
      {available && <DeviceMenu kind={kind} {...menu} />}
    </div>
  );
}
