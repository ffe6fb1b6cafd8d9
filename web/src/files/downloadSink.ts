import type { FileSink, SavedFile } from './sinks';

/** The service worker that streams downloads (web/public/download-sw.js) and the paths it answers. */
export const DOWNLOAD_WORKER_URL = '/download-sw.js';
export const DOWNLOAD_SCOPE = '/download-stream/';
/** Ping the worker this often while a download streams, so the browser does not stop it as idle. */
const KEEPALIVE_MS = 10_000;
/** How long the worker and the download frame may take to answer before we keep the file in memory. */
const START_TIMEOUT_MS = 10_000;

/** Whether this browser can stream a download through a service worker. */
export function canStreamDownloads(): boolean {
  return (
    typeof window !== 'undefined' &&
    window.isSecureContext &&
    'serviceWorker' in navigator &&
    typeof ReadableStream === 'function' &&
    typeof MessageChannel === 'function'
  );
}

function answer(port: MessagePort, type: string, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the download worker did not answer (${type})`)), ms);
    const listener = ({ data }: MessageEvent): void => {
      if ((data as { type?: string } | null)?.type !== type) return;
      clearTimeout(timer);
      port.removeEventListener('message', listener);
      resolve();
    };
    port.addEventListener('message', listener);
  });
}

async function activeWorker(): Promise<ServiceWorker> {
  const reg = await navigator.serviceWorker.register(DOWNLOAD_WORKER_URL, { scope: DOWNLOAD_SCOPE });
  const worker = reg.active ?? reg.waiting ?? reg.installing;
  if (!worker) throw new Error('the download worker did not install');
  if (worker.state !== 'activated') {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the download worker did not activate')), START_TIMEOUT_MS);
      worker.addEventListener('statechange', () => {
        if (worker.state === 'activated') {
          clearTimeout(timer);
          resolve();
        } else if (worker.state === 'redundant') {
          clearTimeout(timer);
          reject(new Error('the download worker was replaced'));
        }
      });
    });
  }
  return worker;
}

/**
 * A received file streamed into the browser's downloads while it arrives, through the download
 * service worker (for browsers without a save picker). Chunks are transferred to the worker, not
 * copied. Aborting errors the stream, so the browser fails and discards the partial download.
 */
export class DownloadSink implements FileSink {
  readonly kind = 'download';
  onError?: (err: unknown) => void;
  readonly #name: string;
  readonly #port: MessagePort;
  readonly #frame: HTMLIFrameElement;
  readonly #keepAlive: ReturnType<typeof setInterval>;
  #done = false;

  private constructor(name: string, port: MessagePort, frame: HTMLIFrameElement, worker: ServiceWorker) {
    this.#name = name;
    this.#port = port;
    this.#frame = frame;
    this.#keepAlive = setInterval(() => worker.postMessage({ type: 'parley-keepalive' }), KEEPALIVE_MS);
    port.addEventListener('message', ({ data }: MessageEvent) => {
      if ((data as { type?: string } | null)?.type === 'cancelled' && !this.#done) {
        this.#finish();
        this.onError?.(new Error('the download was cancelled in the browser'));
      }
    });
  }

  /**
   * Start the download of `name` (`size` bytes, or null when not known in advance, as for a
   * recording; transfer `id`); throws when the worker cannot be used.
   */
  static async open(id: string, name: string, size: number | null): Promise<DownloadSink> {
    const worker = await activeWorker();
    const channel = new MessageChannel();
    const port = channel.port1;
    port.start();
    const ready = answer(port, 'ready', START_TIMEOUT_MS);
    worker.postMessage({ type: 'parley-download', id, name, size }, [channel.port2]);
    await ready;
    const started = answer(port, 'started', START_TIMEOUT_MS);
    const frame = document.createElement('iframe');
    frame.hidden = true;
    frame.title = `Download of ${name}`;
    frame.src = `${DOWNLOAD_SCOPE}${encodeURIComponent(id)}`;
    document.body.append(frame);
    try {
      await started;
    } catch (err) {
      frame.remove();
      port.postMessage({ type: 'abort' });
      port.close();
      throw err;
    }
    return new DownloadSink(name, port, frame, worker);
  }

  write(chunk: ArrayBuffer): void {
    if (this.#done) return;
    this.#port.postMessage({ type: 'chunk', chunk }, [chunk]);
  }

  close(): Promise<SavedFile> {
    if (this.#done) return Promise.reject(new Error('the download was cancelled'));
    this.#port.postMessage({ type: 'end' });
    this.#finish();
    return Promise.resolve({ kind: 'download', name: this.#name });
  }

  abort(): Promise<void> {
    if (!this.#done) this.#port.postMessage({ type: 'abort' });
    this.#finish();
    return Promise.resolve();
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    clearInterval(this.#keepAlive);
    // Let the worker take the last messages before the port and the frame go.
    setTimeout(() => {
      this.#port.close();
      this.#frame.remove();
    }, 30_000);
  }
}
