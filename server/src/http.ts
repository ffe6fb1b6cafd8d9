import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
};

export type Route = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

async function fileAt(path: string): Promise<{ path: string; size: number } | null> {
  try {
    const s = await stat(path);
    return s.isFile() ? { path, size: s.size } : null;
  } catch {
    return null;
  }
}

/**
 * Serves the built web app from `root`. Hashed assets under /assets/ are cached for a year;
 * any other GET that is not a file and accepts HTML gets index.html (SPA deep links such as
 * /call/alice/room1 and /r/room1).
 */
export function staticFiles(root: string): Route {
  const base = normalize(root + sep);
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      send(res, 400, 'text/plain; charset=utf-8', 'bad request path\n');
      return true;
    }
    const candidate = normalize(join(base, pathname));
    let file = candidate.startsWith(base) ? await fileAt(candidate) : null;
    let cache = pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    if (!file) {
      const accept = req.headers.accept ?? '';
      if (extname(pathname) !== '' && !accept.includes('text/html')) return false;
      file = await fileAt(join(base, 'index.html'));
      cache = 'no-cache';
      if (!file) {
        send(res, 503, 'text/plain; charset=utf-8', 'The web app is not built. Run "npm run build".\n');
        return true;
      }
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file.path)] ?? 'application/octet-stream',
      'content-length': file.size,
      'cache-control': cache,
      'x-content-type-options': 'nosniff',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file.path).pipe(res);
    return true;
  };
}

export function notFound(res: ServerResponse): void {
  send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
}
