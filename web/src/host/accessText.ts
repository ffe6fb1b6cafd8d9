import type { RemovedReason } from '@parley/protocol';

/** Sentences for the end of a call caused by the host or the lobby. */
export function removedText(reason: RemovedReason, banSeconds?: number): string {
  if (reason === 'ended') return 'The host ended the call for everyone.';
  const minutes = banSeconds === undefined ? 0 : Math.ceil(banSeconds / 60);
  return minutes > 0
    ? `The host removed you from the call. You can rejoin in ${minutes} minute${minutes === 1 ? '' : 's'}.`
    : 'The host removed you from the call.';
}

export const LOBBY_DENIED_TEXT = 'The host did not let you in.';
export const MUTED_BY_HOST_TEXT = 'The host muted your microphone. Only you can turn it back on.';

/**
 * Refusals of a typed password that keep the prompt open with the reason: a wrong password, too
 * many attempts (wait a minute) and a server too busy to check it now.
 */
export const PASSWORD_REFUSALS: ReadonlySet<string> = new Set(['wrong-password', 'password-limited', 'server-busy']);

/** Join refusals that keep the call open and wait for the person (a password) or the host (lobby). */
export function waitingPhaseFor(errorId: string): 'password' | 'lobby' | null {
  if (PASSWORD_REFUSALS.has(errorId) || errorId === 'password-required') return 'password';
  if (errorId === 'in-lobby') return 'lobby';
  return null;
}
