import assert from 'node:assert/strict';
import { test } from 'node:test';
import { swapFingerprint } from './tamper';

test('the test-only tamper hook changes the fingerprint of a relayed description and nothing else', () => {
  const sdp = 'v=0\r\na=fingerprint:sha-256 0A:FF:19\r\na=setup:actpass\r\n';
  const out = swapFingerprint({ kind: 'description', description: { type: 'offer', sdp } });
  assert.equal(out.kind, 'description');
  assert.equal(
    out.kind === 'description' ? out.description.sdp : '',
    'v=0\r\na=fingerprint:sha-256 1B:00:2A\r\na=setup:actpass\r\n',
  );
  const candidate = { kind: 'candidate' as const, candidate: null };
  assert.equal(swapFingerprint(candidate), candidate);
});
