/* global self */
// Parley's download service worker (scope /download-stream/). Where the browser has no save
// picker (Firefox, Safari), a large received file streams through here into the browser's
// downloads while it arrives, instead of collecting in the page's memory. The page
// (web/src/files/downloadSink.ts) hands over a MessagePort per file; chunks arrive on it in
// order; a hidden frame opens /download-stream/<id>, which this worker answers with a stream
// of those chunks as an attachment. If the page's SHA-256 check fails, the stream errors and
// the browser marks the download failed and discards it.

const PREFIX = '/download-stream/';
const ID = /^[A-Za-z0-9_-]{1,64}$/;
/** id -> { name, size, stream, port } waiting for the frame's request. */
const pending = new Map();

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('message', (event) => {
  const d = event.data;
  // Keep-alive pings from the page need no answer: the event itself keeps this worker running.
  if (!d || d.type !== 'parley-download') return;
  const port = event.ports[0];
  if (!port || typeof d.id !== 'string' || !ID.test(d.id) || typeof d.name !== 'string') return;
  // A recording's size is not known in advance (null): its download has no content-length.
  if (d.size !== null && (!Number.isSafeInteger(d.size) || d.size < 0)) return;
  let controller;
  const stream = new ReadableStream({
    start(c) {
      controller = c;
    },
    cancel() {
      // The person cancelled the download in the browser.
      port.postMessage({ type: 'cancelled' });
    },
  });
  port.onmessage = ({ data }) => {
    try {
      if (data.type === 'chunk') controller.enqueue(new Uint8Array(data.chunk));
      else if (data.type === 'end') controller.close();
      else if (data.type === 'abort') controller.error(new Error('the file failed its check'));
    } catch {
      // The stream was already closed or cancelled.
    }
  };
  pending.set(d.id, { name: d.name, size: d.size, stream, port });
  port.postMessage({ type: 'ready' });
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (url.origin !== self.location.origin || !url.pathname.startsWith(PREFIX)) return;
  const id = url.pathname.slice(PREFIX.length);
  const entry = pending.get(id);
  if (!entry) {
    event.respondWith(new Response('This download is no longer available.', { status: 404 }));
    return;
  }
  pending.delete(id);
  entry.port.postMessage({ type: 'started' });
  event.respondWith(
    new Response(entry.stream, {
      headers: {
        'content-type': 'application/octet-stream',
        'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(entry.name)}`,
        ...(entry.size !== null ? { 'content-length': String(entry.size) } : {}),
        'x-content-type-options': 'nosniff',
      },
    }),
  );
});
