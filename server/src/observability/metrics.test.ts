import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ParleyMetrics } from './metrics';

test('forwarded packets are read from the forwarding unit at scrape time and never go back', async () => {
  let forwarded = 0;
  const metrics = new ParleyMetrics({
    connectedSockets: () => 0,
    rooms: () => 0,
    participants: () => 0,
    draining: () => false,
    sfuForwardedPackets: () => forwarded,
  });
  const read = async (): Promise<number> =>
    Number(/^parley_sfu_forwarded_packets_total (\S+)$/m.exec((await metrics.render()).body)?.[1]);
  try {
    assert.equal(await read(), 0);
    forwarded = 1_500;
    assert.equal(await read(), 1_500);
    forwarded = 4_000;
    assert.equal(await read(), 4_000);
    // The engine restarted (its counters start again): what it sent since is added.
    forwarded = 100;
    assert.equal(await read(), 4_100);
    forwarded = 300;
    assert.equal(await read(), 4_300);
  } finally {
    metrics.close();
  }
});
