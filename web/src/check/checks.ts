import type { IceServer } from '@parley/protocol';
import { getLocalMedia, problemText } from '../media/localMedia';
import { SignalingClient } from '../signaling/SignalingClient';
import { probeIce, transportOf, type IceTransport, type ProbeResult } from '../media/transport/iceProbe';

export type CheckId = 'camera' | 'microphone' | 'signaling' | 'stun' | 'turn-udp' | 'turn-tcp' | 'turn-tls';
export type CheckStatus = 'pending' | 'running' | 'ok' | 'failed' | 'skipped';

export interface CheckItem {
  id: CheckId;
  label: string;
  status: CheckStatus;
  /** One plain sentence about the outcome. */
  detail: string;
}

export interface CheckReport {
  items: CheckItem[];
  /** The camera stream while the check runs (for a preview); stopped at the end. */
  preview: MediaStream | null;
  /** Address of this device as Parley's server sees it. */
  address: string | null;
  verdict: { level: 'good' | 'warn' | 'bad'; text: string } | null;
}

export const checkLabels: Record<CheckId, string> = {
  camera: 'Camera',
  microphone: 'Microphone',
  signaling: "Parley's server",
  stun: 'STUN (finding your public address)',
  'turn-udp': 'TURN relay over UDP',
  'turn-tcp': 'TURN relay over TCP',
  'turn-tls': 'TURN relay over TLS',
};

const order: CheckId[] = ['camera', 'microphone', 'signaling', 'stun', 'turn-udp', 'turn-tcp', 'turn-tls'];

function describeProbeFailure(p: ProbeResult): string {
  if (p.errors.some((e) => e.code === 401))
    return 'The relay refused the credentials (check TURN_SECRET on both sides).';
  return p.timedOut ? 'No answer in time: the server is unreachable from this network.' : 'No answer: unreachable.';
}

/**
 * Run every check in order and report progress through `onChange`. Never throws: failures
 * become items with a sentence. `signal` stops it early (for example when the page closes).
 */
export async function runChecks(
  onChange: (report: CheckReport) => void,
  opts: { serverUrl?: string; signal?: AbortSignal } = {},
): Promise<CheckReport> {
  const report: CheckReport = {
    items: order.map((id) => ({ id, label: checkLabels[id], status: 'pending', detail: '' })),
    preview: null,
    address: null,
    verdict: null,
  };
  const emit = (): void => onChange({ ...report, items: report.items.map((i) => ({ ...i })) });
  const set = (id: CheckId, status: CheckStatus, detail = ''): void => {
    const item = report.items.find((i) => i.id === id);
    if (item) Object.assign(item, { status, detail });
    emit();
  };
  const aborted = (): boolean => opts.signal?.aborted ?? false;

  // Camera and microphone.
  set('camera', 'running');
  set('microphone', 'running');
  const media = await getLocalMedia({ audio: true, video: true });
  report.preview = media.stream;
  for (const [kind, id, device] of [
    ['video', 'camera', 'camera'],
    ['audio', 'microphone', 'microphone'],
  ] as const) {
    const problem = media.problems[kind];
    if (problem) set(id, 'failed', problemText[problem](device));
    else {
      const track = media.stream.getTracks().find((t) => t.kind === kind);
      set(id, 'ok', track?.label ? `Working: ${track.label}.` : 'Working.');
    }
  }

  // Signaling, which also hands out the ICE servers.
  let iceServers: IceServer[] = [];
  /** Why the server left its TURN relay out of this check (invitation-only, rate limit). */
  let turnWithheld: string | undefined;
  if (!aborted()) {
    set('signaling', 'running');
    const client = new SignalingClient(opts.serverUrl);
    try {
      const started = performance.now();
      await client.connect();
      const reply = await client.check();
      iceServers = reply.iceServers;
      turnWithheld = reply.turnWithheld?.message;
      report.address = reply.address;
      set('signaling', 'ok', `Reachable (answered in ${Math.round(performance.now() - started)} ms).`);
    } catch (err) {
      set('signaling', 'failed', `Cannot reach the server: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      client.close();
    }
  }

  // STUN: each configured URL alone; a server-reflexive candidate means it answered.
  const stunUrls = iceServers.flatMap((s) => s.urls.filter((u) => /^stuns?:/i.test(u)));
  if (report.items.find((i) => i.id === 'signaling')?.status !== 'ok') {
    set('stun', 'skipped', 'Not checked: the server could not be reached.');
  } else if (stunUrls.length === 0) {
    set('stun', 'skipped', 'This server hands out no STUN servers.');
  } else if (!aborted()) {
    set('stun', 'running');
    const p = await probeIce([{ urls: stunUrls }], 'all');
    if (p.types.includes('srflx')) set('stun', 'ok', 'Reachable: your public address was found.');
    // The browser drops a reflexive address equal to a local one (no NAT in between); an
    // answered STUN request then shows only as the absence of errors.
    else if (!p.timedOut && p.errors.length === 0) set('stun', 'ok', 'Reachable: this device is not behind a NAT.');
    else set('stun', 'failed', describeProbeFailure(p));
  }

  // TURN: one relay-only probe per transport.
  const turn = iceServers.find((s) => s.urls.some((u) => /^turns?:/i.test(u)));
  for (const transport of ['udp', 'tcp', 'tls'] as const satisfies readonly IceTransport[]) {
    const id: CheckId = `turn-${transport}`;
    const urls = turn?.urls.filter((u) => /^turns?:/i.test(u) && transportOf(u) === transport) ?? [];
    if (!turn || urls.length === 0) {
      const none = turnWithheld ? `Not checked: ${turnWithheld}` : 'This server has no TURN relay.';
      set(id, 'skipped', turn ? 'Not offered by this server.' : none);
      continue;
    }
    if (aborted()) break;
    set(id, 'running');
    const p = await probeIce([{ urls, username: turn.username, credential: turn.credential }], 'relay');
    if (p.types.includes('relay')) set(id, 'ok', 'Reachable: calls can be relayed this way.');
    else set(id, 'failed', describeProbeFailure(p));
  }

  for (const t of media.stream.getTracks()) t.stop();
  report.preview = null;
  report.verdict = verdict(report.items);
  emit();
  return report;
}

/** A plain-language conclusion from the individual results. */
export function verdict(items: CheckItem[]): NonNullable<CheckReport['verdict']> {
  const status = (id: CheckId): CheckStatus => items.find((i) => i.id === id)?.status ?? 'skipped';
  if (status('signaling') !== 'ok') {
    return {
      level: 'bad',
      text: "Calls will not work from here: Parley's server cannot be reached from this network.",
    };
  }
  const devices: string[] = [];
  if (status('camera') !== 'ok') devices.push('camera');
  if (status('microphone') !== 'ok') devices.push('microphone');
  const deviceNote =
    devices.length > 0
      ? ` Your ${devices.join(' and ')} did not work: others will not ${devices.length === 2 ? 'see or hear' : devices[0] === 'camera' ? 'see' : 'hear'} you.`
      : '';
  const turns = (['turn-udp', 'turn-tcp', 'turn-tls'] as const).map(status);
  const anyTurnOffered = turns.some((s) => s !== 'skipped');
  if (turns[0] === 'ok')
    return { level: devices.length ? 'warn' : 'good', text: `Calls should work from here.${deviceNote}` };
  if (turns.includes('ok')) {
    return {
      level: 'warn',
      text: `Calls should work, relayed over TCP: this network seems to block UDP, so quality may be lower.${deviceNote}`,
    };
  }
  if (anyTurnOffered) {
    return {
      level: 'warn',
      text: `Calls work only with people whose network allows a direct connection: the relay server cannot be reached from here.${deviceNote}`,
    };
  }
  if (status('stun') === 'failed') {
    return {
      level: 'warn',
      text: `Calls may fail outside this local network: the STUN server cannot be reached and there is no relay.${deviceNote}`,
    };
  }
  return {
    level: devices.length ? 'warn' : 'good',
    text: `Calls should work on open networks; behind strict firewalls they may fail, as this server has no relay.${deviceNote}`,
  };
}
