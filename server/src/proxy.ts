import type { IncomingMessage } from 'node:http';

/** Where a request came from: the client's address and the scheme and host it used. */
export interface RequestOrigin {
  address: string;
  protocol: 'http' | 'https';
  host: string;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** The last (closest) entry of a comma-separated forwarding header. */
function lastHop(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const parts = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return parts[parts.length - 1];
}

/**
 * The origin of a request. With `trustProxy` the X-Forwarded-* headers of the one reverse
 * proxy in front of Parley are honoured; the last X-Forwarded-For entry is the address that
 * proxy saw (earlier entries can be forged by the client). Without it they are ignored.
 */
export function requestOrigin(req: IncomingMessage, trustProxy: boolean): RequestOrigin {
  const direct: RequestOrigin = {
    address: normalizeAddress(req.socket.remoteAddress ?? ''),
    protocol: 'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http',
    host: header(req, 'host') ?? '',
  };
  if (!trustProxy) return direct;
  const forwardedFor = lastHop(header(req, 'x-forwarded-for'));
  const proto = lastHop(header(req, 'x-forwarded-proto'))?.toLowerCase();
  const host = lastHop(header(req, 'x-forwarded-host'));
  return {
    address: forwardedFor ? normalizeAddress(forwardedFor) : direct.address,
    protocol: proto === 'https' || proto === 'http' ? proto : direct.protocol,
    host: host ?? direct.host,
  };
}

/** `::ffff:10.0.0.1` -> `10.0.0.1`. */
function normalizeAddress(a: string): string {
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}
