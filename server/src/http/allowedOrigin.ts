/**
 * May a signaling connection from a browser page at `origin` be accepted? Requests without an
 * Origin (non-browser clients) are accepted. With an empty `allowed` list, only the page's own
 * origin is accepted (the Origin's host equals the host the request was sent to, `host`);
 * `*` accepts any origin.
 */
export function originAllowed(origin: string | undefined, host: string, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (allowed.includes('*')) return true;
  if (allowed.length > 0) return allowed.includes(origin);
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
