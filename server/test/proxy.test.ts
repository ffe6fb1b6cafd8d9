import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CheckReply } from '@parley/protocol';
import { io, type Socket } from 'socket.io-client';
import { startTestServer } from './support';

async function addressSeen(url: string, headers: Record<string, string>): Promise<string> {
  const socket: Socket = io(`${url}/parley`, { transports: ['websocket'], reconnection: false, extraHeaders: headers });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    const reply = (await socket.timeout(5_000).emitWithAck('check', {})) as CheckReply;
    assert.ok(reply.ok);
    return reply.address;
  } finally {
    socket.disconnect();
  }
}

const forwarded = { 'x-forwarded-for': '198.51.100.1, 203.0.113.7', 'x-forwarded-proto': 'https' };

test('X-Forwarded-For is ignored unless TRUST_PROXY is set', async () => {
  const { server, url } = await startTestServer({ trustProxy: false });
  try {
    assert.equal(await addressSeen(url, forwarded), '127.0.0.1');
  } finally {
    await server.close();
  }
});

test('with TRUST_PROXY the address the proxy saw (last X-Forwarded-For entry) is used', async () => {
  const { server, url } = await startTestServer({ trustProxy: true });
  try {
    assert.equal(await addressSeen(url, forwarded), '203.0.113.7');
    assert.equal(await addressSeen(url, {}), '127.0.0.1', 'no header: the direct address');
  } finally {
    await server.close();
  }
});
