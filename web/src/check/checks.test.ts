import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkLabels, verdict, type CheckId, type CheckItem, type CheckStatus } from './checks';
import { transportOf } from '../media/transport/iceProbe';

function items(statuses: Partial<Record<CheckId, CheckStatus>>): CheckItem[] {
  return (Object.keys(checkLabels) as CheckId[]).map((id) => ({
    id,
    label: checkLabels[id],
    status: statuses[id] ?? 'ok',
    detail: '',
  }));
}

test('transport of STUN and TURN URLs', () => {
  assert.equal(transportOf('turn:t.example.org:3478'), 'udp');
  assert.equal(transportOf('turn:t.example.org:3478?transport=udp'), 'udp');
  assert.equal(transportOf('turn:t.example.org:3478?transport=tcp'), 'tcp');
  assert.equal(transportOf('turns:t.example.org:443?transport=tcp'), 'tls');
  assert.equal(transportOf('stun:t.example.org:3478'), 'udp');
});

test('verdicts in plain language', () => {
  assert.equal(verdict(items({})).level, 'good');
  assert.match(verdict(items({})).text, /^Calls should work from here\.$/);

  const noServer = verdict(items({ signaling: 'failed', stun: 'skipped', 'turn-udp': 'skipped' }));
  assert.equal(noServer.level, 'bad');
  assert.match(noServer.text, /cannot be reached/);

  const tcpOnly = verdict(items({ 'turn-udp': 'failed', 'turn-tcp': 'ok', 'turn-tls': 'skipped' }));
  assert.equal(tcpOnly.level, 'warn');
  assert.match(tcpOnly.text, /relayed over TCP/);

  const noRelay = verdict(items({ 'turn-udp': 'failed', 'turn-tcp': 'failed', 'turn-tls': 'skipped' }));
  assert.equal(noRelay.level, 'warn');
  assert.match(noRelay.text, /relay server cannot be reached/);

  const unconfigured = verdict(items({ 'turn-udp': 'skipped', 'turn-tcp': 'skipped', 'turn-tls': 'skipped' }));
  assert.match(unconfigured.text, /no relay/);

  const noCamera = verdict(items({ camera: 'failed' }));
  assert.equal(noCamera.level, 'warn');
  assert.match(noCamera.text, /camera did not work: others will not see you/);
  assert.match(verdict(items({ camera: 'failed', microphone: 'failed' })).text, /see or hear/);
});
