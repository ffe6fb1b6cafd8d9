import type { LinkQuality } from './useLinkQuality';

const fmt = (v: number | null, unit: string, digits = 0): string => (v === null ? '—' : `${v.toFixed(digits)} ${unit}`);

export const qualityText = { good: 'Good', fair: 'Fair', poor: 'Poor', unknown: 'Measuring…' } as const;

/** The raw connection figures per participant, for people who want to know why. */
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
        return (
          <table key={id} className="stats-table" data-participant-id={id}>
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
        );
      })}
    </section>
  );
}
