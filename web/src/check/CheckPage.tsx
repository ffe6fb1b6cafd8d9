import { useCallback, useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { runChecks, type CheckReport, type CheckStatus } from './checks';

const statusText: Record<CheckStatus, string> = {
  pending: 'Waiting',
  running: 'Checking…',
  ok: 'OK',
  failed: 'Problem',
  skipped: 'Not checked',
};

/** `/check`: camera, microphone, signaling, STUN and TURN, with a plain-language verdict. */
export default function CheckPage() {
  const [report, setReport] = useState<CheckReport | null>(null);
  const [run, setRun] = useState(0);
  const video = useRef<HTMLVideoElement>(null);

  useEffect(() => {
    const abort = new AbortController();
    void runChecks(
      (r) => {
        if (!abort.signal.aborted) setReport(r);
      },
      { signal: abort.signal },
    );
    return () => abort.abort();
  }, [run]);

  useEffect(() => {
    if (video.current) video.current.srcObject = report?.preview ?? null;
  }, [report?.preview]);

  const again = useCallback(() => {
    setReport(null);
    setRun((n) => n + 1);
  }, []);

  const done = report?.verdict != null;
  return (
    <main className="home check" aria-labelledby="check-title">
      <h1 id="check-title" className="brand">
        Connection check
      </h1>
      <p>Parley checks your camera, microphone and network for calls. Nothing is recorded.</p>
      {report?.preview && (
        <video ref={video} className="check-preview" autoPlay muted playsInline aria-label="Camera preview" />
      )}
      <ul className="check-list" aria-label="Checks">
        {(report?.items ?? []).map((item) => (
          <li
            key={item.id}
            data-check={item.id}
            data-status={item.status}
            className={`check-item check-${item.status}`}
          >
            <span className="check-label">{item.label}</span>
            <span className="check-status">{statusText[item.status]}</span>
            {item.detail && <span className="check-detail">{item.detail}</span>}
          </li>
        ))}
      </ul>
      {report?.address && <p className="check-address">The server sees this device as {report.address}.</p>}
      <div
        role="status"
        aria-live="polite"
        className={`check-verdict ${done ? `verdict-${report.verdict?.level}` : ''}`}
      >
        {done ? report.verdict?.text : 'Checking…'}
      </div>
      <p className="check-actions">
        <button type="button" onClick={again} disabled={!done}>
          Check again
        </button>{' '}
        <Link to="/">Start a call</Link>
      </p>
    </main>
  );
}
