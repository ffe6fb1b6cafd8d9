/**
 * A minimal Chrome DevTools Protocol client for a Node process started with `--inspect`: the
 * soak run forces a collection, reads the heap and `process.memoryUsage()`, and takes heap
 * snapshots of the server without touching its code.
 */
import { writeFileSync } from 'node:fs';
import WebSocket from 'ws';

export class Inspector {
  #next = 1;
  readonly #pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  readonly #chunks: string[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      const msg = JSON.parse(data.toString()) as {
        id?: number;
        result?: unknown;
        error?: { message: string };
        method?: string;
        params?: { chunk?: string };
      };
      if (msg.method === 'HeapProfiler.addHeapSnapshotChunk' && msg.params?.chunk) this.#chunks.push(msg.params.chunk);
      if (msg.id === undefined) return;
      const p = this.#pending.get(msg.id);
      this.#pending.delete(msg.id);
      if (msg.error) p?.reject(new Error(msg.error.message));
      else p?.resolve(msg.result);
    });
    socket.on('close', () => {
      for (const p of this.#pending.values()) p.reject(new Error('inspector closed'));
      this.#pending.clear();
    });
  }

  /** Connect to the `ws://` address the process printed ("Debugger listening on ws://..."). */
  static async connect(url: string): Promise<Inspector> {
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new Inspector(socket);
  }

  /** The inspector address in a process's stderr output, or null. */
  static urlIn(output: string): string | null {
    return /Debugger listening on (ws:\/\/\S+)/.exec(output)?.[1] ?? null;
  }

  send<T = unknown>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Force a full collection, then `process.memoryUsage()` of the process (bytes). */
  async memory(): Promise<NodeJS.MemoryUsage> {
    await this.send('HeapProfiler.collectGarbage');
    const r = await this.send<{ result: { value: string } }>('Runtime.evaluate', {
      expression: 'JSON.stringify(process.memoryUsage())',
      returnByValue: true,
    });
    return JSON.parse(r.result.value) as NodeJS.MemoryUsage;
  }

  /** Write a heap snapshot (open it in Chromium's DevTools, Memory tab) to `path`. */
  async heapSnapshot(path: string): Promise<void> {
    this.#chunks.length = 0;
    await this.send('HeapProfiler.enable');
    await this.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
    writeFileSync(path, this.#chunks.join(''));
    this.#chunks.length = 0;
  }

  close(): void {
    this.socket.close();
  }
}
