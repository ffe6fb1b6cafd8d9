import { TOKEN_MAX } from '@parley/protocol';

/** The invitation token in a URL fragment (`#token=...`), or undefined. */
export function invitationToken(hash: string): string | undefined {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('token');
  return token && token.length <= TOKEN_MAX ? token : undefined;
}
