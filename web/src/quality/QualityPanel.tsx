import { Sparkline } from './Sparkline';
import type { LinkQuality } from './useLinkQuality';

const fmt = (v: number | null, unit: string, digits = 0): string => (v === null ? '—' : `${v.toFixed(digits)} ${unit}`);

export const qualityText = { good: 'Good', fair: 'Fair', poor: 'Poor', unknown: 'Measuring…' } as const;

/**
 * The raw connection figures per participant, for people who want to know why, and the last
 * minute of round trip, received bitrate, packet loss and frame rate as small charts.
 */
export function QualityPanel({ people }: { people: Array<{ id: string; name: string; q: LinkQuality | undefined }> }) {
  return (
    <section className="side-panel quality-panel" aria-labelledby="quality-panel-title" data-testid="quality-panel">
      <h2 id="quality-panel-title">Connection details</h2>
      {people.length === 0 && <p>Nobody else is here yet.</p>}
      {people.map(({ id, name, q }) => {
        const f = q?.figures;
        const rows: Array<[string, string]> = [
          ['Quality', qualityText[q?.quality ?? 'unknown']],
          ['Round trip', fmt(f?.rttMs ?? null, 'ms')],
          ['Packet loss', fmt(f?.lossPercent ?? null, '%', 1)],
          ['Frame rate', fmt(f?.fps ?? null, 'fps')],
          ['Resolution', f?.resolution ?? '—'],
          ['Codecs', [f?.videoCodec, f?.audioCodec].filter(Boolean).join(', ') || '—'],
          ['Receiving', fmt(f?.inKbps ?? null, 'kbit/s')],
          ['Sending', fmt(f?.outKbps ?? null, 'kbit/s')],
          [
            'Route',
            f?.localCandidate
              ? `${f.localCandidate} → ${f.remoteCandidate ?? '?'}${f.protocol ? ` (${f.protocol})` : ''}`
              : '—',
          ],
        ];
        const h = q?.history;
        return (
          <div key={id} className="quality-person">
            <table className="stats-table" data-participant-id={id}>
              <caption>{name}</caption>
              <tbody>
                {rows.map(([k, v]) => (
                  <tr key={k}>
                    <th scope="row">{k}</th>
                    <td data-stat={k}>{v}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {h && (
              <div className="quality-charts" data-chart-for={id}>
                <Sparkline label="Round trip" unit="ms" figure="rttMs" points={h.rttMs} minTop={50} />
                <Sparkline label="Receiving" unit="kbit/s" figure="inKbps" points={h.inKbps} minTop={100} />
                <Sparkline
                  label="Packet loss"
                  unit="%"
                  figure="lossPercent"
                  points={h.lossPercent}
                  digits={1}
                  minTop={5}
                />
                <Sparkline label="Frame rate" unit="fps" figure="fps" points={h.fps} minTop={30} />
              </div>
            )}
          </div>
        );
      })}
    </section>
  );
}
