import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import sirv, { type RequestHandler } from 'sirv';

export type Route = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

/** Hashed build output: the name changes whenever the content does, so it may be cached for good. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * A single byte range `bytes=a-b` or `bytes=a-` that the static middleware answers correctly.
 * Other forms (suffix ranges, several ranges, `0-0`) are answered with the whole file, which
 * HTTP allows; so is a range with If-Range, since the validator may not match.
 */
function simpleRange(req: IncomingMessage): boolean {
  const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  if (!m || req.headers['if-range'] !== undefined) return false;
  return m[2] === '' || (Number(m[2]) >= Number(m[1]) && Number(m[2]) > 0);
}

/**
 * Serves the built web app from `root` with sirv: the .br/.gz files written beside each asset
 * at build time (web/scripts/compress.mjs) by Accept-Encoding, ETag and 304, Range requests.
 * Hashed assets under /assets/ are cached for a year; index.html and everything else must be
 * revalidated. Any other GET or HEAD that is not a file and has no extension, or that accepts
 * HTML, gets index.html (SPA deep links such as /call/alice/room1 and /r/room1).
 */
export function staticFiles(root: string): Route {
  let serve: RequestHandler | null = null;
  // sirv lists the directory once; a server started before `npm run build` lists it when it appears.
  const handler = (): RequestHandler | null => {
    if (serve === null && existsSync(join(root, 'index.html'))) {
      serve = sirv(root, {
        etag: true,
        gzip: true,
        brotli: true,
        dotfiles: false,
        ignores: false,
      });
    }
    return serve;
  };
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', 'http://x').pathname;
    } catch {
      send(res, 400, 'text/plain; charset=utf-8', 'bad request path\n');
      return true;
    }
    const serveFile = handler();
    if (serveFile === null) {
      send(res, 503, 'text/plain; charset=utf-8', 'The web app is not built. Run "npm run build".\n');
      return true;
    }
    if (req.headers.range !== undefined) {
      if (simpleRange(req)) {
        // A range counts bytes of the file itself, not of a compressed copy.
        delete req.headers['accept-encoding'];
      } else {
        delete req.headers.range;
      }
    }
    // Set before sirv answers, so that a 304 carries them too.
    res.setHeader('cache-control', pathname.startsWith('/assets/') ? IMMUTABLE : 'no-cache');
    res.setHeader('vary', 'Accept-Encoding');
    // sirv answers 304 only when If-None-Match equals the file's ETag, and sends no ETag with
    // it, but a 304 must name the validator it confirms (RFC 9110 15.4.5).
    const validator = req.headers['if-none-match'];
    if (typeof validator === 'string') {
      type WriteHead = (code: number, ...rest: unknown[]) => ServerResponse;
      const writeHead = res.writeHead.bind(res) as WriteHead;
      (res as { writeHead: WriteHead }).writeHead = (code, ...rest) => {
        if (code === 304) res.setHeader('etag', validator);
        return writeHead(code, ...rest);
      };
    }
    let found = true;
    serveFile(req, res, () => {
      found = false;
    });
    if (found) return true;
    const accept = req.headers.accept ?? '';
    if (extname(pathname) !== '' && !accept.includes('text/html')) {
      res.removeHeader('cache-control');
      res.removeHeader('vary');
      return false;
    }
    // An app route: the page itself, which must always be revalidated.
    res.setHeader('cache-control', 'no-cache');
    req.url = '/index.html';
    found = true;
    serveFile(req, res, () => {
      found = false;
    });
    if (!found) send(res, 503, 'text/plain; charset=utf-8', 'The web app is not built. Run "npm run build".\n');
    return true;
  };
}

export function notFound(res: ServerResponse): void {
  send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
}
