import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { networkInterfaces } from 'node:os';
import { dirname, join } from 'node:path';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { SfuEngine } from './engine/Engine';
import { loadMedooze } from './engine/medooze';
import { SfuRoom } from './SfuRoom';

/** The addresses announced by default: this machine's non-internal IPv4 addresses, else loopback. */
export function defaultAnnouncedIps(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) out.push(a.address);
  }
  return out.length > 0 ? out : ['127.0.0.1'];
}

/** Whether the engine's native module was built, without loading it (loading costs memory). */
function engineBuilt(): { ok: true } | { ok: false; reason: string } {
  try {
    const require = createRequire(import.meta.url);
    const pkg = require.resolve('medooze-media-server/package.json');
    const binary = join(dirname(pkg), 'build', 'Release', 'medooze-media-server.node');
    if (!existsSync(binary)) return { ok: false, reason: 'medooze-media-server is installed but was not built' };
    return { ok: true };
  } catch {
    return { ok: false, reason: 'medooze-media-server is not installed (an optional dependency that did not build)' };
  }
}

export type SfuStatus =
  | { state: 'off'; reason: string }
  | { state: 'unavailable'; reason: string }
  | { state: 'available' }
  | { state: 'running'; engine: string; port: number; addresses: readonly string[] };

/**
 * The server's forwarding unit: loads the engine when the first room needs it (it costs memory
 * a server of small calls never needs), and makes each room's media state.
 */
export class SfuService {
  #engine: SfuEngine | null = null;
  #status: SfuStatus;
  readonly #rooms = new Set<SfuRoom>();

  constructor(
    readonly config: Config,
    readonly log: Logger,
  ) {
    if (config.roomTopology === 'mesh') this.#status = { state: 'off', reason: 'ROOM_TOPOLOGY=mesh' };
    else {
      const built = engineBuilt();
      this.#status = built.ok ? { state: 'available' } : { state: 'unavailable', reason: built.reason };
    }
  }

  get status(): SfuStatus {
    return this.#status;
  }

  /** True when rooms may go through the forwarding unit. */
  get usable(): boolean {
    return this.#status.state === 'available' || this.#status.state === 'running';
  }

  /** The engine, loaded on first use; null when it cannot run (said once in the log). */
  engine(): SfuEngine | null {
    if (this.#engine) return this.#engine;
    if (this.#status.state !== 'available') return null;
    const addresses = this.config.sfuAnnouncedIps.length > 0 ? this.config.sfuAnnouncedIps : defaultAnnouncedIps();
    const loaded = loadMedooze({ addresses, portMin: this.config.sfuPortMin, portMax: this.config.sfuPortMax });
    if (!loaded.ok) {
      this.#status = { state: 'unavailable', reason: loaded.reason };
      this.log.warn({ reason: loaded.reason }, 'the forwarding unit cannot run: rooms stay meshes');
      return null;
    }
    this.#engine = loaded.engine;
    this.#status = { state: 'running', engine: loaded.engine.name, port: loaded.engine.port, addresses };
    this.log.info({ engine: loaded.engine.name, port: loaded.engine.port, addresses }, 'forwarding unit started');
    return this.#engine;
  }

  /** The media state of a room that goes through the forwarding unit (null when it cannot run). */
  createRoom(name: string): SfuRoom | null {
    const engine = this.engine();
    if (!engine) return null;
    const room = new SfuRoom(name, engine, this.log, () => this.#rooms.delete(room));
    this.#rooms.add(room);
    return room;
  }

  /** Media connections the engine holds now. */
  get connectionCount(): number {
    return this.#engine?.stats().connections ?? 0;
  }

  /** RTP packets the forwarding unit sent to subscribers since it started. */
  get forwardedPackets(): number {
    return this.#engine?.stats().forwardedPackets ?? 0;
  }

  /** Rooms whose media goes through the forwarding unit now. */
  get roomCount(): number {
    return this.#rooms.size;
  }

  close(): void {
    for (const room of [...this.#rooms]) room.close();
    this.#engine?.close();
    this.#engine = null;
  }
}
