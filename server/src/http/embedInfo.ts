import type { Route } from '../http';
import { sendJson } from '../http';

/**
 * `GET /embed.json`: whether other sites may show this server's calls in a frame, and which
 * (FRAME_ANCESTORS). Readable from any origin, so that an embedding page (and @parley/embed)
 * can say "this server does not allow embedding here" instead of showing a blank frame; the
 * call page reads it too, to know which parent it may talk to.
 */
export function embedInfo(frameAncestors: readonly string[]): Route {
  const body = {
    embeddable: frameAncestors.length > 0,
    frameAncestors: [...frameAncestors],
    option: 'FRAME_ANCESTORS',
  };
  return (req, res) => {
    if ((req.url ?? '').split('?')[0] !== '/embed.json') return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('cross-origin-resource-policy', 'cross-origin');
    res.setHeader('cache-control', 'no-cache');
    sendJson(res, 200, body);
    return true;
  };
}
