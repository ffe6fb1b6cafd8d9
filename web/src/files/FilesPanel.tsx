import { Upload } from 'lucide-react';
import { formatBytes, type Participant } from '@parley/protocol';
import { useRef, useState } from 'react';
import { useEmitterValue } from '../hooks/useEmitterValue';
import type { FileTransfers, TransferView } from './FileTransfers';
import { noticeText, type OfferNotice } from './OfferBook';

const none: TransferView[] = [];
const noNotices: OfferNotice[] = [];

function formatSeconds(s: number | null): string {
  if (s === null) return '';
  if (s < 60) return `${Math.ceil(s)} s left`;
  return `${Math.floor(s / 60)} min ${Math.ceil(s % 60)} s left`;
}

/** Send a file to everyone or one person; see offers, progress, and received files. */
export function FilesPanel({ files, participants }: { files: FileTransfers; participants: Participant[] }) {
  const transfers = useEmitterValue(files, (f) => f.transfers, none);
  const notices = useEmitterValue(files, (f) => f.notices, noNotices);
  const [to, setTo] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const recipient = participants.find((p) => p.id === to);

  const onPick = (list: FileList | null): void => {
    const file = list?.[0];
    if (!file) return;
    setProblem(files.send(file, recipient?.id));
    if (input.current) input.current.value = '';
  };

  return (
    <section className="files" aria-label="Files">
      <div className="files-send">
        <label>
          Send to{' '}
          <select value={recipient ? to : ''} onChange={(e) => setTo(e.target.value)}>
            <option value="">Everyone</option>
            {participants.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <div className="drop-zone" data-testid="drop-zone">
          <Upload aria-hidden="true" focusable="false" size={28} />
          <p className="drop-zone-text">Drop a file here, or anywhere on the call</p>
          <label className="choose-file">
            Choose file
            <input
              ref={input}
              className="sr-only"
              type="file"
              aria-label="File to send"
              onChange={(e) => onPick(e.target.files)}
            />
          </label>
          <p className="hint">Up to {formatBytes(files.maxBytes)}</p>
        </div>
        {problem && (
          <p role="alert" className="error">
            {problem}
          </p>
        )}
      </div>
      {notices.map((n) => (
        <div className="files-notice hint" role="status" data-testid="offer-notice" key={n.peerId}>
          {noticeText(n, formatBytes(files.maxBytes), files.pendingOffersMax)}{' '}
          <button type="button" onClick={() => files.dismissNotice(n.peerId)}>
            Dismiss
          </button>
        </div>
      ))}
      <ul className="transfers" aria-live="polite">
        {transfers.length === 0 && <li className="chat-empty">No files yet.</li>}
        {transfers.map((t) => (
          <TransferRow key={t.key} t={t} files={files} />
        ))}
      </ul>
    </section>
  );
}

function TransferRow({ t, files }: { t: TransferView; files: FileTransfers }) {
  const active = t.state === 'transferring' || t.state === 'verifying' || t.state === 'waiting';
  const label = t.direction === 'in' ? `${t.name} from ${t.peerName}` : `${t.name} to ${t.peerName}`;
  return (
    <li
      className={`transfer transfer-${t.state}`}
      data-testid="transfer"
      data-state={t.state}
      data-direction={t.direction}
    >
      <div className="transfer-title">
        <strong className="transfer-name">{t.name}</strong> ({formatBytes(t.size)}){' '}
        {t.direction === 'in' ? `from ${t.peerName}` : `to ${t.peerName}`}
      </div>
      {(t.state === 'transferring' || t.state === 'verifying') && (
        <div className="transfer-progress">
          <progress max={t.size || 1} value={t.bytes} aria-label={`Progress of ${label}`} />
          <span>
            {formatBytes(t.bytes)} of {formatBytes(t.size)}
            {t.rate > 0 && ` · ${formatBytes(t.rate)}/s`}
            {t.secondsLeft !== null && ` · ${formatSeconds(t.secondsLeft)}`}
          </span>
        </div>
      )}
      {t.state === 'waiting' && <p className="hint">Waiting for {t.peerName} to accept…</p>}
      {t.choosing && (
        <p className="hint">
          {files.largeFiles === 'picker' ? `Choose where to save ${t.name}…` : `Starting the download of ${t.name}…`}
        </p>
      )}
      {t.state === 'offered' && !t.choosing && t.size >= files.diskMinBytes && files.largeFiles !== 'memory' && (
        <p className="hint">
          {files.largeFiles === 'picker'
            ? 'Accepting asks where to save it; it is written there as it arrives.'
            : 'Accepting saves it to your downloads as it arrives.'}
        </p>
      )}
      {t.note && <p className={t.state === 'failed' ? 'error' : 'hint'}>{t.note}</p>}
      <div className="transfer-actions">
        {t.state === 'offered' && (
          <>
            <button type="button" disabled={t.choosing} onClick={() => void files.accept(t.key)}>
              Accept
            </button>
            <button type="button" disabled={t.choosing} onClick={() => files.decline(t.key)}>
              Decline
            </button>
          </>
        )}
        {active && (
          <button type="button" onClick={() => files.cancel(t.key)}>
            Cancel
          </button>
        )}
        {t.state === 'done' && t.url && (
          <a className="button" href={t.url} download={t.name} data-sha256={t.sha256}>
            Save {t.name}
          </a>
        )}
      </div>
    </li>
  );
}
