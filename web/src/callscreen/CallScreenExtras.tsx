import { Activity, Keyboard, LayoutGrid, Link as LinkIcon, Presentation, Settings } from 'lucide-react';
import { DeviceSettings } from '../devices/DeviceSettings';
import { NoiseFailureNote } from '../audio/noise/NoiseToggle';
import { noiseOf } from '../audio/noise/noiseOf';
import { CallBackgroundPicker } from '../video/background/BackgroundPicker';
import { ShortcutHelp } from '../keyboard/ShortcutHelp';
import type { Call, CallSnapshot } from '../media/Call';
import { QualityPanel, qualityText } from '../quality/QualityPanel';
import type { Quality } from '../quality/linkQuality';
import { MenuItem } from './MoreMenu';
import type { CallScreenState } from './useCallScreen';

export { useCallScreen } from './useCallScreen';

/** Three bars, filled by quality; the grade is in the accessible name. */
export function QualityBadge({ quality }: { quality: Quality }) {
  const bars = { good: 3, fair: 2, poor: 1, unknown: 0 }[quality];
  return (
    <span
      className={`quality quality-${quality}`}
      role="img"
      aria-label={`Connection ${qualityText[quality].toLowerCase()}`}
      title={`Connection: ${qualityText[quality]}`}
      data-testid="quality-indicator"
      data-quality={quality}
    >
      {[1, 2, 3].map((i) => (
        <span key={i} className={`bar bar-${i}${i <= bars ? ' on' : ''}`} />
      ))}
    </span>
  );
}

/** The More menu's secondary actions: invite link, layout, devices, connection, shortcuts. */
export function CallScreenMenuItems({
  ui,
  copied,
  copyLink,
}: {
  ui: CallScreenState;
  copied: boolean;
  copyLink: () => void;
}) {
  return (
    <>
      <MenuItem icon={LinkIcon} label={copied ? 'Link copied' : 'Copy link'} onSelect={copyLink} />
      <MenuItem
        icon={ui.layout === 'grid' ? Presentation : LayoutGrid}
        label={ui.layout === 'grid' ? 'Speaker view' : 'Grid view'}
        onSelect={() => ui.setLayout(ui.layout === 'grid' ? 'speaker' : 'grid')}
      />
      <MenuItem icon={Settings} label="Devices" onSelect={() => ui.togglePanel('devices')} />
      <MenuItem icon={Activity} label="Connection" onSelect={() => ui.togglePanel('stats')} />
      <MenuItem icon={Keyboard} label="Keyboard shortcuts" onSelect={() => ui.setHelpOpen(true)} />
    </>
  );
}

/** The Devices panel's content. */
export function DevicesPanel({
  ui,
  call,
  snapshot,
}: {
  ui: CallScreenState;
  call: Call | null;
  snapshot: CallSnapshot;
}) {
  return (
    <DeviceSettings
      devices={ui.devices}
      localTracks={snapshot.localStream?.getTracks() ?? []}
      choose={(kind, id) => void ui.callDevices.choose(kind, id)}
      problem={ui.callDevices.problem}
      noise={call ? noiseOf(call) : null}
    >
      <CallBackgroundPicker call={call} />
    </DeviceSettings>
  );
}

/** The Connection panel's content. */
export function StatsPanel({ ui, snapshot }: { ui: CallScreenState; snapshot: CallSnapshot }) {
  return (
    <QualityPanel
      people={snapshot.remotes.map((r) => ({
        id: r.participant.id,
        name: r.participant.name,
        q: ui.quality.get(r.participant.id),
      }))}
    />
  );
}

/** The noise-suppression failure note, the shortcut dialog and the join/leave live region. */
export function CallScreenExtras({ ui, call }: { ui: CallScreenState; call: Call | null }) {
  return (
    <>
      {call && <NoiseFailureNote control={noiseOf(call)} />}
      {/* Mounted while open only: nothing of it is built with the call screen. */}
      {ui.helpOpen && <ShortcutHelp open onClose={() => ui.setHelpOpen(false)} />}
      <p className="sr-only" role="status" aria-live="polite">
        {ui.announcement}
      </p>
    </>
  );
}
