import { execFile, execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/*
 * A network lab for tests: every participant (and the server) in its own network namespace,
 * each joined to one router namespace by a veth pair, addresses from the benchmarking range
 * 198.18.0.0/15 (RFC 2544: never a real network, and nothing here routes off the machine).
 *
 *        test process ──veth 198.18.0.0/24──┐
 *   node 1 (eth0 198.18.1.2) ──veth──  router (forwards; tc + nft here)  ──veth── node 2 ...
 *
 * Conditions, per node and per direction ("up" = from the node, "down" = to it):
 * - bandwidth caps: `tc tbf` on the sending end of the node's veth (the node's eth0 for "up",
 *   the router's end for "down"); this kernel has no netem;
 * - random loss: `nft` in the router, `numgen random mod 100 < N drop` on the node's packets;
 * - outages: the router drops everything to and from the node.
 * They can be changed at any time during a running test. Namespaces are named after the test
 * process (`plab<pid>-...`); a lab whose process is gone (a crash) is removed by the next one.
 */

export type Direction = 'up' | 'down' | 'both';

export interface LabNode {
  /** The name the test gave it (e.g. "alice"). */
  readonly name: string;
  /** Its network namespace (`ip netns exec <ns> ...`). */
  readonly ns: string;
  /** Its address on its link (198.18.<index>.2). */
  readonly address: string;
  /** The router's end of its link (in the router namespace). */
  readonly routerIf: string;
}

interface NodeConditions {
  lossUp: number;
  lossDown: number;
  outage: boolean;
}

const PREFIX = 'plab';
const MAX_NODES = 250;

/** Why the lab cannot run here, or null when it can (root, iproute2, nftables, tc). */
export function netlabUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'the network lab needs root (network namespaces, tc, nft)';
  for (const tool of ['ip', 'tc', 'nft']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return `the network lab needs \`${tool}\` (${tool === 'nft' ? 'nftables' : 'iproute2'})`;
    }
  }
  return null;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function listNamespaces(): string[] {
  try {
    return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
      .split('\n')
      .map((l) => l.split(' ')[0] ?? '')
      .filter((n) => n !== '');
  } catch {
    return [];
  }
}

/** Remove the namespaces of labs whose test process is gone. Returns what it removed. */
export function sweepStaleLabs(): string[] {
  const removed: string[] = [];
  for (const ns of listNamespaces()) {
    const m = new RegExp(`^${PREFIX}(\\d+)x\\d+-`).exec(ns);
    if (!m || alive(Number(m[1]))) continue;
    try {
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
      removed.push(ns);
    } catch {
      // Already gone.
    }
  }
  return removed;
}

async function sh(cmd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(cmd, args, { encoding: 'utf8' });
    return stdout;
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')}: ${(e.stderr ?? e.message).trim()}`, { cause: err });
  }
}

export class NetLab {
  readonly router: string;
  readonly #id: string;
  readonly #nodes = new Map<string, LabNode>();
  readonly #conditions = new Map<string, NodeConditions>();
  readonly #procs = new Set<ChildProcess>();
  readonly #tmp = mkdtempSync(join(tmpdir(), 'parley-netlab-'));
  #control = false;
  #closed = false;
  readonly #onExit = (): void => this.#closeSync();

  private constructor(id: string) {
    this.#id = id;
    this.router = `${id}-r`;
    process.once('exit', this.#onExit);
  }

  /**
   * Make the router namespace (forwarding on, loss table empty) and a link from the test's own
   * namespace to it, so the test process reaches every node (one such lab per namespace; pass
   * `{ reachable: false }` for a lab the test process does not talk to). Sweeps stale labs first.
   */
  static async create(opts: { reachable?: boolean } = {}): Promise<NetLab> {
    const why = netlabUnavailable();
    if (why) throw new Error(why);
    sweepStaleLabs();
    const taken = new Set(listNamespaces());
    let n = 0;
    while (taken.has(`${PREFIX}${process.pid}x${n}-r`)) n++;
    const lab = new NetLab(`${PREFIX}${process.pid}x${n}`);
    try {
      await sh('ip', ['netns', 'add', lab.router]);
      await lab.#in(lab.router, 'ip', ['link', 'set', 'lo', 'up']);
      await lab.#in(lab.router, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
      await lab.#applyLoss();
      if (opts.reachable === false) return lab;
      if ((await sh('ip', ['route', 'show', '198.18.0.0/15'])).trim() !== '') {
        throw new Error('another network lab already routes 198.18.0.0/15 from this namespace');
      }
      // The test process's own link: 198.18.0.2 here, 198.18.0.1 in the router.
      const here = `${lab.#id.slice(PREFIX.length)}c`.slice(-15);
      await sh('ip', ['link', 'add', here, 'type', 'veth', 'peer', 'name', 'ctl', 'netns', lab.router]);
      lab.#control = true;
      await sh('ip', ['addr', 'add', '198.18.0.2/24', 'dev', here]);
      await sh('ip', ['link', 'set', here, 'up']);
      await lab.#in(lab.router, 'ip', ['addr', 'add', '198.18.0.1/24', 'dev', 'ctl']);
      await lab.#in(lab.router, 'ip', ['link', 'set', 'ctl', 'up']);
      await sh('ip', ['route', 'add', '198.18.0.0/15', 'via', '198.18.0.1']);
      lab.#controlIf = here;
    } catch (err) {
      await lab.close();
      throw err;
    }
    return lab;
  }

  #controlIf = '';

  /** The test process's address on the lab network. */
  get hostAddress(): string {
    return '198.18.0.2';
  }

  nodes(): LabNode[] {
    return [...this.#nodes.values()];
  }

  node(name: string): LabNode {
    const n = this.#nodes.get(name);
    if (!n) throw new Error(`no lab node "${name}" (have: ${[...this.#nodes.keys()].join(', ') || 'none'})`);
    return n;
  }

  /** A new namespace linked to the router: eth0 198.18.<i>.2/24, default route via the router. */
  async addNode(name: string): Promise<LabNode> {
    if (this.#closed) throw new Error('the lab is closed');
    if (this.#nodes.has(name)) throw new Error(`lab node "${name}" exists already`);
    const index = this.#nodes.size + 1;
    if (index > MAX_NODES) throw new Error(`a lab holds at most ${MAX_NODES} nodes`);
    const node: LabNode = {
      name,
      ns: `${this.#id}-n${index}`,
      address: `198.18.${index}.2`,
      routerIf: `n${index}`,
    };
    await sh('ip', ['netns', 'add', node.ns]);
    this.#nodes.set(name, node);
    this.#conditions.set(name, { lossUp: 0, lossDown: 0, outage: false });
    await this.#in(node.ns, 'ip', ['link', 'set', 'lo', 'up']);
    await sh('ip', [
      'link',
      'add',
      node.routerIf,
      'netns',
      this.router,
      'type',
      'veth',
      'peer',
      'name',
      'eth0',
      'netns',
      node.ns,
    ]);
    await this.#in(this.router, 'ip', ['addr', 'add', `198.18.${index}.1/24`, 'dev', node.routerIf]);
    await this.#in(this.router, 'ip', ['link', 'set', node.routerIf, 'up']);
    await this.#in(node.ns, 'ip', ['addr', 'add', `${node.address}/24`, 'dev', 'eth0']);
    await this.#in(node.ns, 'ip', ['link', 'set', 'eth0', 'up']);
    await this.#in(node.ns, 'ip', ['route', 'add', 'default', 'via', `198.18.${index}.1`]);
    return node;
  }

  /**
   * Cap a node's bandwidth (kbit/s) in one or both directions with a token bucket; null lifts it.
   * The queue holds about 200 ms, as a consumer router's buffer might.
   */
  async limit(name: string, direction: Direction, kbit: number | null): Promise<void> {
    const node = this.node(name);
    if (kbit !== null && !(Number.isFinite(kbit) && kbit >= 8))
      throw new Error(`bandwidth ${kbit} kbit/s: must be at least 8`);
    const ends: Array<[string, string]> = [];
    if (direction !== 'down') ends.push([node.ns, 'eth0']);
    if (direction !== 'up') ends.push([this.router, node.routerIf]);
    for (const [ns, dev] of ends) {
      if (kbit === null) {
        await this.#in(ns, 'tc', ['qdisc', 'del', 'dev', dev, 'root']).catch(() => undefined);
      } else {
        // The bucket must hold at least one full packet; a larger one lets short bursts through.
        const burst = Math.max(16, Math.round(kbit / 25));
        await this.#in(ns, 'tc', [
          'qdisc',
          'replace',
          'dev',
          dev,
          'root',
          'tbf',
          'rate',
          `${kbit}kbit`,
          'burst',
          `${burst}kbit`,
          'latency',
          '200ms',
        ]);
      }
    }
  }

  /** Drop `percent` of a node's packets, at random, in one or both directions (0 ends it). */
  async loss(name: string, direction: Direction, percent: number): Promise<void> {
    this.node(name);
    if (!(Number.isInteger(percent) && percent >= 0 && percent <= 100)) {
      throw new Error(`loss ${percent} %: must be a whole number from 0 to 100`);
    }
    const c = this.#conditions.get(name)!;
    if (direction !== 'down') c.lossUp = percent;
    if (direction !== 'up') c.lossDown = percent;
    await this.#applyLoss();
  }

  /** Start (true) or end (false) a total outage of a node's link. */
  async outage(name: string, on: boolean): Promise<void> {
    this.node(name);
    this.#conditions.get(name)!.outage = on;
    await this.#applyLoss();
  }

  /** Lift every condition on a node. */
  async clear(name: string): Promise<void> {
    await this.limit(name, 'both', null);
    this.#conditions.set(name, { lossUp: 0, lossDown: 0, outage: false });
    await this.#applyLoss();
  }

  /** What the router drops now, as nft lists it (for diagnosis). */
  async rules(): Promise<string> {
    return this.#in(this.router, 'nft', ['list', 'table', 'inet', 'lab']);
  }

  /** Packets and bytes each node's link carried, as the router counts them (per direction). */
  async counters(
    name: string,
  ): Promise<{ up: { packets: number; bytes: number }; down: { packets: number; bytes: number } }> {
    const node = this.node(name);
    const read = async (dir: 'rx' | 'tx'): Promise<{ packets: number; bytes: number }> => {
      const base = `/sys/class/net/${node.routerIf}/statistics`;
      const out = await this.#in(this.router, 'sh', ['-c', `cat ${base}/${dir}_packets ${base}/${dir}_bytes`]);
      const [packets = 0, bytes = 0] = out.trim().split('\n').map(Number);
      return { packets, bytes };
    };
    // The router receives what the node sends (up) and transmits what the node gets (down).
    return { up: await read('rx'), down: await read('tx') };
  }

  /** Start a process inside a node's namespace. It is killed when the lab closes. */
  spawn(name: string, command: string, args: string[], opts: SpawnOptions = {}): ChildProcess {
    const node = this.node(name);
    const child = spawn('ip', ['netns', 'exec', node.ns, command, ...args], opts);
    this.#procs.add(child);
    child.once('exit', () => this.#procs.delete(child));
    return child;
  }

  /** Run a command inside a node's namespace and return its output. */
  exec(name: string, command: string, args: string[]): Promise<string> {
    return this.#in(this.node(name).ns, command, args);
  }

  /**
   * An executable that runs `program` inside the node's namespace, for launchers that take an
   * executable path (Playwright's `executablePath`): the browser's control pipe is inherited, so
   * the test still drives it while all its traffic goes through the node's link.
   */
  wrapper(name: string, program: string): string {
    const node = this.node(name);
    const path = join(this.#tmp, `${node.ns}-${program.replace(/\W+/g, '_')}`);
    writeFileSync(path, `#!/bin/sh\nexec ip netns exec '${node.ns}' '${program}' "$@"\n`);
    chmodSync(path, 0o755);
    return path;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closeSync();
  }

  #closeSync(): void {
    if (this.#closed) return;
    this.#closed = true;
    process.removeListener('exit', this.#onExit);
    for (const p of this.#procs) p.kill('SIGKILL');
    for (const node of this.#nodes.values()) {
      try {
        execFileSync('ip', ['netns', 'del', node.ns], { stdio: 'ignore' });
      } catch {
        // Already gone.
      }
    }
    try {
      if (this.#control && this.#controlIf) execFileSync('ip', ['link', 'del', this.#controlIf], { stdio: 'ignore' });
    } catch {
      // Went with the router.
    }
    try {
      execFileSync('ip', ['netns', 'del', this.router], { stdio: 'ignore' });
    } catch {
      // Already gone.
    }
    rmSync(this.#tmp, { recursive: true, force: true });
  }

  #in(ns: string, command: string, args: string[]): Promise<string> {
    return sh('ip', ['netns', 'exec', ns, command, ...args]);
  }

  /** Rewrite the router's drop rules from the conditions, in one nft transaction. */
  async #applyLoss(): Promise<void> {
    const rules: string[] = [];
    for (const [name, c] of this.#conditions) {
      const dev = this.node(name).routerIf;
      if (c.outage) {
        rules.push(`iifname "${dev}" drop`, `oifname "${dev}" drop`);
        continue;
      }
      if (c.lossUp > 0) rules.push(`iifname "${dev}" numgen random mod 100 < ${c.lossUp} drop`);
      if (c.lossDown > 0) rules.push(`oifname "${dev}" numgen random mod 100 < ${c.lossDown} drop`);
    }
    const script = [
      'table inet lab',
      'delete table inet lab',
      'table inet lab {',
      '  chain forward {',
      '    type filter hook forward priority 0; policy accept;',
      ...rules.map((r) => `    ${r}`),
      '  }',
      '}',
      '',
    ].join('\n');
    const path = join(this.#tmp, 'rules.nft');
    writeFileSync(path, script);
    await this.#in(this.router, 'nft', ['-f', path]);
  }
}
