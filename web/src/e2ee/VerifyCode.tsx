import { useEffect, useState } from 'react';
import './e2ee.css';
import type { Call } from '../media/Call';
import type { VerificationCode } from './verification';

/**
 * One person's verification code in an end-to-end encrypted room: opened from the People
 * panel, compared aloud or side by side with what that person sees for you. Equal codes mean
 * the direct connection's certificates are the ones both browsers made: no server in between.
 */
export function VerifyCode({
  call,
  participantId,
  name,
  linkState,
}: {
  call: Call;
  participantId: string;
  name: string;
  /** The connection's state: the code is read again when it changes (a rebuilt connection). */
  linkState: string;
}) {
  const [open, setOpen] = useState(false);
  const [code, setCode] = useState<VerificationCode | null | undefined>(undefined);
  useEffect(() => {
    if (!open) return;
    let live = true;
    let retry: ReturnType<typeof setTimeout> | undefined;
    // Until offer and answer are through there is no code: look again each second meanwhile.
    const read = (): void => {
      call.verificationCode(participantId).then(
        (c) => {
          if (!live) return;
          setCode(c);
          if (!c) retry = setTimeout(read, 1000);
        },
        () => live && setCode(null),
      );
    };
    read();
    return () => {
      live = false;
      clearTimeout(retry);
    };
  }, [open, call, participantId, linkState]);

  return (
    <div className="verify" data-testid="verify" data-participant-id={participantId}>
      <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? 'Hide code' : `Verify ${name}`}
      </button>
      {open && code === null && (
        <p className="verify-help">No code yet: the direct connection to {name} is still being set up.</p>
      )}
      {open && code && (
        <div className="verify-code" data-testid="verify-code">
          <p className="verify-emoji" aria-label={code.emoji.map((e) => e.name).join(', ')}>
            {code.emoji.map((e, i) => (
              <span key={i} title={e.name} aria-hidden="true">
                {e.symbol}
              </span>
            ))}
          </p>
          <p className="verify-digits" data-testid="verify-digits">
            {code.digits}
          </p>
          <p className="verify-help">
            {name} sees the same emoji and numbers for you when nobody is between you. If they differ, someone (the
            server included) is in the middle: leave the call.
          </p>
        </div>
      )}
    </div>
  );
}
