/**
 * Rooms through the forwarding unit with several servers (REDIS_URL): the room's media is pinned
 * to its home server; a participant whose signaling lands on another server sends and receives
 * its media through the home's forwarding unit. When the home dies, the room is pinned again on a
 * live server and everyone publishes there.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startNginx, type NginxHandle } from '../server/test/infra/nginx';
import { startRedis, type RedisHandle } from '../server/test/infra/redis';
import { launchChromium, newParticipant } from './support/browser';
import { joinThroughUi } from './support/call';
import { waitAllDecoding } from './support/mesh';
import { selectedRemotes } from './support/sfu';
import { startServer, type RunningServer } from './support/server';
import { longVariant } from './support/tier';

let browser: Browser;
let redis: RedisHandle;
const running: RunningServer[] = [];
let nginx: NginxHandle | null = null;

before(async () => {
  browser = await launchChromium();
  redis = await startRedis();
});

after(async () => {
  await browser?.close();
  await nginx?.stop();
  await Promise.all(running.map((s) => s.kill('SIGKILL')));
  await redis?.stop();
});

interface Ready {
  details: { sfu: { state: string; port?: number }; redis?: { server: string; rooms: number } };
}

async function readyz(url: string): Promise<Ready> {
  return (await (await fetch(`${url}/readyz`)).json()) as Ready;
}

const sfuPorts = new Map<RunningServer, number>();

/** A server of the cluster whose forwarding unit listens on its own UDP port (exactly that one). */
async function sfuServer(i: number): Promise<RunningServer> {
  const port = String(41_000 + i * 10 + Math.floor(Math.random() * 5));
  const s = await startServer({
    env: {
      REDIS_URL: redis.url,
      ROOM_TOPOLOGY: 'sfu',
      TRUST_PROXY: 'true',
      SFU_ANNOUNCED_IPS: '127.0.0.1',
      SFU_PORT_MIN: port,
      SFU_PORT_MAX: port,
      LOG_LEVEL: 'info',
    },
  });
  running.push(s);
  sfuPorts.set(s, Number(port));
  return s;
}

async function needsSfu(t: TestContext, url: string): Promise<boolean> {
  const s = (await readyz(url)).details.sfu;
  if (s.state === 'unavailable' || s.state === 'off') {
    t.skip(`no forwarding unit: ${JSON.stringify(s)}`);
    return false;
  }
  return true;
}

describe('rooms through the forwarding unit across servers', () => {
  test("a participant signaling through another server sends and receives media through the room's server", async (t) => {
    const home = await sfuServer(1);
    const edge = await sfuServer(2);
    if (!(await needsSfu(t, home.url))) return;
    const people: Array<{ context: BrowserContext; page: Page }> = [];
    try {
      const ada = await newParticipant(browser, home.url);
      const grace = await newParticipant(browser, edge.url);
      people.push(ada, grace);
      await joinThroughUi(ada.page, 'Ada', 'sfu-cluster');
      await joinThroughUi(grace.page, 'Grace', 'sfu-cluster');
      const [atAda, atGrace] = await Promise.all([
        waitAllDecoding(ada.page, 1, { timeoutMs: 45_000 }),
        waitAllDecoding(grace.page, 1, { timeoutMs: 45_000 }),
      ]);
      assert.equal(atAda[0]!.name, 'Grace');
      assert.equal(atGrace[0]!.name, 'Ada');
      const homeSfu = (await readyz(home.url)).details;
      const edgeSfu = (await readyz(edge.url)).details;
      assert.equal(homeSfu.redis?.rooms, 1, 'the first joiner made its server the room home');
      assert.equal(edgeSfu.redis?.rooms, 0);
      // Grace's signaling is on the other server; her media goes to the room's forwarding unit.
      assert.deepEqual(await selectedRemotes(grace.page), [`127.0.0.1:${homeSfu.sfu.port}`]);
      assert.deepEqual(await selectedRemotes(ada.page), [`127.0.0.1:${homeSfu.sfu.port}`]);
      assert.equal(homeSfu.sfu.port, sfuPorts.get(home), 'the pinned port (SFU_PORT_MIN = SFU_PORT_MAX)');
      assert.equal(edgeSfu.sfu.port, undefined, 'the other server never started its forwarding unit');
    } finally {
      await Promise.all(people.map((p) => p.context.close()));
    }
  });

  test('the home dies: the room is pinned on a live server and everyone publishes there', longVariant(), async (t) => {
    const servers = [await sfuServer(3), await sfuServer(4)];
    if (!(await needsSfu(t, servers[0]!.url))) return;
    nginx = await startNginx({ upstreams: servers.map((s) => `127.0.0.1:${s.port}`) });
    const people: Array<{ context: BrowserContext; page: Page }> = [];
    const log: string[] = [];
    const t0 = Date.now();
    try {
      for (const name of ['Ada', 'Grace']) {
        const p = await newParticipant(browser, nginx.url);
        people.push(p);
        p.page.on('console', (m) => {
          if (m.type() === 'warning' || m.type() === 'error') log.push(`+${Date.now() - t0} ms ${name}: ${m.text()}`);
        });
        await joinThroughUi(p.page, name, 'sfu-failover');
      }
      await Promise.all(people.map((p) => waitAllDecoding(p.page, 1, { timeoutMs: 45_000 })));
      const held = await Promise.all(servers.map(async (s) => (await readyz(s.url)).details.redis?.rooms ?? 0));
      const homeIndex = held.indexOf(1);
      assert.ok(homeIndex >= 0, `one server holds the room (${held.join(', ')})`);
      const home = servers[homeIndex]!;
      const other = servers[1 - homeIndex]!;
      const otherPort = sfuPorts.get(other)!;

      const killedAt = Date.now();
      await home.kill('SIGKILL');
      log.push(`+${killedAt - t0} ms the home (port ${home.port}) killed`);
      // Both pages reconnect (through nginx, to the live server), rejoin and publish there.
      await Promise.all(
        people.map((p) =>
          p.page.waitForFunction(
            async (port) => {
              const call = (window as unknown as { __parleyCall?: { getStats(): Promise<Record<string, RTCStats[]>> } })
                .__parleyCall;
              if (!call) return false;
              for (const list of Object.values(await call.getStats())) {
                for (const s of list as Array<RTCStats & Record<string, unknown>>) {
                  if (s.type === 'remote-candidate' && s.port === port) return true;
                }
              }
              return false;
            },
            otherPort,
            { timeout: 60_000, polling: 500 },
          ),
        ),
      );
      await Promise.all(people.map((p) => waitAllDecoding(p.page, 1, { timeoutMs: 60_000 })));
      console.log(`SFU room home killed: media through the new home after ${Date.now() - killedAt} ms`);
      for (const p of people) assert.deepEqual(await selectedRemotes(p.page), [`127.0.0.1:${otherPort}`]);
      assert.equal((await readyz(other.url)).details.redis?.rooms, 1);
    } catch (err) {
      for (const p of people) {
        log.push(
          await p.page.evaluate(() =>
            JSON.stringify(
              (window as unknown as { __parleyCall?: { snapshot: { phase: string; error: unknown } } }).__parleyCall
                ?.snapshot,
              ['phase', 'error', 'id', 'message'],
            ),
          ),
        );
      }
      console.log(log.join('\n'));
      for (const s of servers) console.log(s.output.join('').split('\n').slice(-40).join('\n'));
      throw err;
    } finally {
      await Promise.all(people.map((p) => p.context.close()));
    }
  });
});
