/**
 * A Firefox participant in a room through the server's forwarding unit, with two Chromium pages:
 * everyone decodes everyone (Firefox publishes its own simulcast layers and receives the
 * Chromium cameras forwarded by the server).
 */
import { test, type TestContext } from 'node:test';
import { BrowserPool, type Participant } from './support/participant';
import { joinCall, linkStatsByPeer, waitEveryoneDecodes } from './support/participantCall';
import { startServer } from './support/server';

async function needsSfu(t: TestContext, url: string): Promise<boolean> {
  const body = (await (await fetch(`${url}/readyz`)).json()) as { details: { sfu: { state: string } } };
  if (body.details.sfu.state === 'unavailable' || body.details.sfu.state === 'off') {
    t.skip(`no forwarding unit: ${JSON.stringify(body.details.sfu)}`);
    return false;
  }
  return true;
}

test('Firefox takes part in a room through the server with two Chromium pages', async (t) => {
  const server = await startServer({
    env: { ROOM_TOPOLOGY: 'sfu', SFU_ANNOUNCED_IPS: '127.0.0.1', LOG_LEVEL: process.env.SFU_LOG ?? 'warn' },
  });
  const pool = new BrowserPool(server.url);
  const list: Array<{ name: string; p: Participant }> = [];
  try {
    if (!(await needsSfu(t, server.url))) return;
    for (const [name, b] of [
      ['Ada', 'chromium'],
      ['Fox', 'firefox'],
      ['Cy', 'chromium'],
    ] as const) {
      list.push({ name, p: await pool.participant(b) });
    }
    for (const x of list) await joinCall(x.p, x.name, 'sfu-fox');
    try {
      await waitEveryoneDecodes(list, 45_000);
    } catch (err) {
      for (const me of list)
        console.error(`${me.name} (${me.p.browser}):`, JSON.stringify(await linkStatsByPeer(me.p)));
      if (process.env.SFU_LOG) console.error(server.output.join(''));
      throw err;
    }
  } finally {
    await Promise.allSettled(list.map((x) => x.p.close()));
    await pool.close();
    await server.kill('SIGTERM');
  }
});
