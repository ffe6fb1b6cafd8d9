import type { IceServer } from '@parley/protocol';
import type { Config } from '../config';
import { mintTurnCredential } from './credentials';

/**
 * The ICE servers one participant gets: the STUN URLs as they are, and the TURN URLs with a
 * credential minted for this participant that expires after TURN_TTL. `onTurnCredential` is
 * told each time one is issued (for /metrics).
 */
export function iceServersFor(
  config: Pick<Config, 'stunUrls' | 'turnUrls' | 'turnSecret' | 'turnTtl'>,
  participantId: string,
  onTurnCredential?: () => void,
  nowMs = Date.now(),
): IceServer[] {
  const out: IceServer[] = [];
  if (config.stunUrls.length > 0) out.push({ urls: [...config.stunUrls] });
  if (config.turnUrls.length > 0 && config.turnSecret !== '') {
    // The username carries the id after the expiry; keep it to characters coturn passes through.
    const user = participantId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64) || 'anonymous';
    const c = mintTurnCredential(config.turnSecret, user, config.turnTtl, nowMs);
    out.push({ urls: [...config.turnUrls], username: c.username, credential: c.credential });
    onTurnCredential?.();
  }
  return out;
}
