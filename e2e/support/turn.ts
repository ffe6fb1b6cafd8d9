import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, connect } from 'node:net';
import type { Page } from 'playwright-core';
import { ROOT } from './server';

export interface RunningTurn {
  port: number;
  secret: string;
  /** TURN URL on 127.0.0.1 for one transport. */
  url(transport: 'udp' | 'tcp'): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address() as { port: number };
  srv.close();
  return port;
}

async function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * Start coturn on 127.0.0.1 on a free port through scripts/turn-dev.sh (the same settings a
 * developer uses), with a fresh secret. Resolves once it accepts TCP connections.
 */
export async function startTurn(): Promise<RunningTurn> {
  const port = await freePort();
  const secret = `e2e-${Math.random().toString(36).slice(2)}`;
  const min = 50_000 + Math.floor(Math.random() * 100) * 100;
  const proc: ChildProcess = spawn('bash', ['scripts/turn-dev.sh'], {
    cwd: ROOT,
    env: {
      ...process.env,
      TURN_PORT: String(port),
      TURN_SECRET: secret,
      TURN_MIN_PORT: String(min),
      TURN_MAX_PORT: String(min + 99),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  proc.stdout?.on('data', (c: Buffer) => output.push(c.toString()));
  proc.stderr?.on('data', (c: Buffer) => output.push(c.toString()));
  const deadline = Date.now() + 15_000;
  while (!(await accepting(port))) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`coturn did not start: ${output.join('').slice(-2_000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    secret,
    url: (transport) => `turn:127.0.0.1:${port}?transport=${transport}`,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      await once(proc, 'exit');
    },
  };
}

export interface SelectedPair {
  local: { candidateType: string; protocol: string; relayProtocol?: string; address?: string };
  remote: { candidateType: string; protocol: string; address?: string };
}

/** The selected ICE candidate pair of each of the page's peer connections (from getStats). */
export function selectedPairs(page: Page): Promise<SelectedPair[]> {
  return page.evaluate(async () => {
    const call = (window as unknown as { __parleyCall?: { getStats(): Promise<Record<string, RTCStats[]>> } })
      .__parleyCall;
    if (!call) return [];
    const out: SelectedPair[] = [];
    for (const list of Object.values(await call.getStats())) {
      const byId = new Map(list.map((s) => [s.id, s as RTCStats & Record<string, unknown>]));
      for (const s of byId.values()) {
        if (s.type !== 'transport' || typeof s.selectedCandidatePairId !== 'string') continue;
        const pair = byId.get(s.selectedCandidatePairId);
        const local = pair && byId.get(String(pair.localCandidateId));
        const remote = pair && byId.get(String(pair.remoteCandidateId));
        if (!local || !remote) continue;
        out.push({
          local: {
            candidateType: String(local.candidateType),
            protocol: String(local.protocol),
            relayProtocol: local.relayProtocol === undefined ? undefined : String(local.relayProtocol),
            address: local.address === undefined ? undefined : String(local.address),
          },
          remote: {
            candidateType: String(remote.candidateType),
            protocol: String(remote.protocol),
            address: remote.address === undefined ? undefined : String(remote.address),
          },
        });
      }
    }
    return out;
  });
}
