import { DeviceSettings } from '../devices/DeviceSettings';
import { NoiseFailureNote } from '../audio/noise/NoiseToggle';
import { noiseOf } from '../audio/noise/noiseOf';
import { CallBackgroundPicker } from '../video/background/BackgroundPicker';
import { ShortcutHelp } from '../keyboard/ShortcutHelp';
import type { Call, CallSnapshot } from '../media/Call';
import { QualityPanel, qualityText } from '../quality/QualityPanel';
import type { Quality } from '../quality/linkQuality';
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

/** The buttons that go with the call controls: layout, devices, stats, shortcuts. */
export function CallScreenButtons({ ui }: { ui: CallScreenState }) {
  return (
    <>
      <button
        type="button"
        aria-pressed={ui.layout === 'speaker'}
        onClick={() => ui.setLayout(ui.layout === 'grid' ? 'speaker' : 'grid')}
      >
        {ui.layout === 'grid' ? 'Speaker view' : 'Grid view'}
      </button>
      <button type="button" aria-expanded={ui.panel === 'devices'} onClick={() => ui.togglePanel('devices')}>
        Devices
      </button>
      <button type="button" aria-expanded={ui.panel === 'stats'} onClick={() => ui.togglePanel('stats')}>
        Connection
      </button>
      <button type="button" aria-haspopup="dialog" onClick={() => ui.setHelpOpen(true)}>
        <span aria-hidden="true">?</span>
        <span className="sr-only">Keyboard shortcuts</span>
      </button>
    </>
  );
}

/** Side panels, the shortcut dialog and the join/leave live region. */
export function CallScreenExtras({
  ui,
  call,
  snapshot,
}: {
  ui: CallScreenState;
  call: Call | null;
  snapshot: CallSnapshot;
}) {
  return (
    <>
      {ui.panel === 'devices' && (
        <DeviceSettings
          devices={ui.devices}
          localTracks={snapshot.localStream?.getTracks() ?? []}
          choose={(kind, id) => void ui.callDevices.choose(kind, id)}
          problem={ui.callDevices.problem}
          noise={call ? noiseOf(call) : null}
        >
          <CallBackgroundPicker call={call} />
        </DeviceSettings>
      )}
      {call && <NoiseFailureNote control={noiseOf(call)} />}
      {ui.panel === 'stats' && call && (
        <QualityPanel
          people={snapshot.remotes.map((r) => ({
            id: r.participant.id,
            name: r.participant.name,
            q: ui.quality.get(r.participant.id),
          }))}
        />
      )}
      <ShortcutHelp open={ui.helpOpen} onClose={() => ui.setHelpOpen(false)} />
      <p className="sr-only" role="status" aria-live="polite">
        {ui.announcement}
      </p>
    </>
  );
}
