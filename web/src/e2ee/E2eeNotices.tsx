import './e2ee.css';
import type { CallSnapshot } from '../media/Call';

/**
 * The call screen's mark of an end-to-end encrypted call. Its tooltip names the key in use:
 * "key 0" is the link's or passphrase's; each time someone leaves, the others move to the next.
 * With `onVerify` it is a button that takes the person to verification (the People panel, where
 * each person's "Verify <name>" code is).
 */
export function E2eeBadge({
  source,
  epoch,
  onVerify,
}: {
  source: 'link' | 'passphrase';
  epoch: number;
  onVerify?: (() => void) | undefined;
}) {
  const made =
    source === 'link'
      ? 'Video, sound and chat are encrypted with the key in your link; the server cannot read them.'
      : 'Video, sound and chat are encrypted with a key made from your passphrase; the server cannot read them.';
  const key =
    epoch === 0
      ? 'Key 0 (the room key).'
      : `Key ${epoch}: a new key since someone left, which those who left do not have.`;
  const title = `${made} ${key}`;
  if (onVerify) {
    return (
      <button
        type="button"
        className="e2ee-badge"
        data-testid="e2ee-badge"
        data-key-epoch={epoch}
        title={title}
        onClick={onVerify}
      >
        🔒 End-to-end encrypted
      </button>
    );
  }
  return (
    <span className="e2ee-badge" data-testid="e2ee-badge" data-key-epoch={epoch} title={title}>
      🔒 End-to-end encrypted
    </span>
  );
}

/**
 * Media that does not decrypt is dropped, never shown garbled: this says why a tile stays dark.
 * When nobody's media decrypts, our key is the odd one out; otherwise the named people's are.
 */
export function WrongKeyNotice({ snapshot }: { snapshot: CallSnapshot }) {
  const failing = snapshot.e2ee?.wrongKey ?? [];
  if (failing.length === 0) return null;
  const everyone = snapshot.remotes.length > 0 && snapshot.remotes.every((r) => failing.includes(r.participant.id));
  const names = snapshot.remotes.filter((r) => failing.includes(r.participant.id)).map((r) => r.participant.name);
  return (
    <div className="media-notes e2ee-wrong-key" role="alert" data-testid="e2ee-wrong-key">
      <p>
        {everyone
          ? 'Wrong key: the video and sound of this call cannot be decrypted with your key. Check that your link or passphrase is the one the others used.'
          : `Wrong key: the video and sound of ${names.join(', ')} cannot be decrypted. They may have joined with another link or passphrase.`}
      </p>
    </div>
  );
}
