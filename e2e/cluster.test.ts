/**
 * Several Parley servers sharing rooms through Redis, behind nginx (deploy/nginx/parley.conf), as
 * people use them: real Chromium pages open nginx's address and their signaling lands on
 * whichever server nginx picks; the call works across servers, survives the loss of a server
 * (the room's home included) and an outage of Redis.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startNginx, type NginxHandle } from '../server/test/infra/nginx';
import { startRedis, type RedisHandle } from '../server/test/infra/redis';
import { launchChromium, newParticipant } from './support/browser';
import { joinFromPreJoin, preJoinReady, remoteVideos } from './support/call';
import { framesById, selfId, waitAllDecoding } from './support/mesh';
import { startServer, type RunningServer } from './support/server';
import { longVariant } from './support/tier';

let browser: Browser;
/**
 * Everything a test started (pages, servers, Redis, nginx), closed when that test ends, even
 * half way: each test's cluster and pages are gone before the next one starts.
 */
const cleanups: Array<() => Promise<unknown>> = [];

async function cleanUp(): Promise<void> {
  for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => undefined);
}

before(async () => {
  browser = await launchChromium();
});

afterEach(cleanUp);

after(async () => {
  await cleanUp();
  await browser?.close();
});

interface ClusterHealth {
  state: 'up' | 'down';
  server: string;
  rooms: number;
  remoteConnections: number;
  routedConnections: number;
}

interface Readyz {
  code: number;
  status: string;
  redis: ClusterHealth;
}

interface Cluster {
  redis: RedisHandle;
  servers: RunningServer[];
  nginx: NginxHandle;
}

/** Redis, three servers sharing it (mesh rooms, behind a proxy) and nginx in front of them. */
async function startCluster(): Promise<Cluster> {
  const redis = await startRedis();
  cleanups.push(() => redis.stop());
  const servers: RunningServer[] = [];
  for (let i = 0; i < 3; i++) {
    const s = await startServer({
      env: { REDIS_URL: redis.url, TRUST_PROXY: 'true', ROOM_TOPOLOGY: 'mesh', LOG_LEVEL: 'info' },
    });
    cleanups.push(() => s.kill('SIGKILL'));
    // What the servers warned about (a server found dead, Redis lost), for diagnosis.
    cleanups.push(async () => {
      const lines = s.output
        .join('')
        .split('\n')
        .filter((l) => /"level":[456]0/.test(l));
      if (lines.length > 0) console.log(`server ${i} (port ${s.port}):\n  ${lines.join('\n  ')}`);
    });
    servers.push(s);
  }
  const nginx = await startNginx({ upstreams: servers.map((s) => `127.0.0.1:${s.port}`) });
  cleanups.push(() => nginx.stop());
  return { redis, servers, nginx };
}

async function readyz(server: RunningServer): Promise<Readyz> {
  const res = await fetch(`${server.url}/readyz`);
  const body = (await res.json()) as { status: string; details: { redis: ClusterHealth } };
  return { code: res.status, status: body.status, redis: body.details.redis };
}

/** One gauge of one server's own /metrics (not through nginx). */
async function gauge(server: RunningServer, name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const m = new RegExp(`^${name} (\\d+)`, 'm').exec(text);
  if (!m) throw new Error(`no ${name} in /metrics of ${server.url}`);
  return Number(m[1]);
}

/** Open signaling connections on one server. */
const socketsOn = (server: RunningServer): Promise<number> => gauge(server, 'parley_connected_sockets');
/** Participants in the rooms one server holds (wherever their connections are). */
const participantsOn = (server: RunningServer): Promise<number> => gauge(server, 'parley_participants');

const alive = (s: RunningServer): boolean => s.proc.exitCode === null && s.proc.signalCode === null;

/** Poll `probe` until it returns something else than null; `seen()` says what it saw last. */
async function until<T>(
  what: string,
  probe: () => Promise<T | null>,
  timeoutMs: number,
  seen: () => string = () => '',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      const v = await probe();
      if (v !== null) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out: ${what}${last ? ` (${String(last)})` : ''} ${seen()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** What the pages warned about (signaling lost, link repairs), with when. */
const pageLog: Array<{ name: string; at: number; text: string }> = [];

interface Person {
  name: string;
  context: BrowserContext;
  page: Page;
  /** Index in the cluster's servers of the server holding this page's signaling connection. */
  server: number;
}

/**
 * Open the pre-join screen of `room` through nginx until the page's signaling connection (opened
 * there, ahead of Join) lands on one of the servers in `wanted`, then press Join. Which server
 * holds it is read from the servers' own socket gauges: every other page is settled, so the
 * server with one socket more than before is this page's. nginx round-robins fresh WebSockets
 * (and every other request), so a few reloads may be needed.
 */
async function joinOn(c: Cluster, name: string, room: string, wanted: number[]): Promise<Person> {
  const { context, page } = await newParticipant(browser, c.nginx.url);
  cleanups.push(() => context.close());
  // The app says when its signaling or a link has trouble.
  page.on('console', (m) => {
    if (m.type() !== 'warning' && m.type() !== 'error') return;
    pageLog.push({ name, at: Date.now(), text: m.text() });
    console.log(`  [${name} ${new Date().toISOString()}] ${m.text()}`);
  });
  const before = await Promise.all(c.servers.map((s) => (alive(s) ? socketsOn(s) : Promise.resolve(0))));
  for (let attempt = 1; attempt <= 12; attempt++) {
    await page.goto('/');
    await page.getByLabel('Username').fill(name);
    await page.getByLabel('Room').fill(room);
    await page.getByRole('button', { name: 'Join' }).click();
    await preJoinReady(page);
    // Settled: exactly one socket more in total (this page's; its previous one has closed).
    const now = await until(
      `${name}'s signaling connection`,
      async () => {
        const counts = await Promise.all(c.servers.map((s) => (alive(s) ? socketsOn(s) : Promise.resolve(0))));
        const extra = counts.map((n, i) => n - before[i]!);
        return extra.reduce((a, b) => a + b, 0) === 1 && extra.every((d) => d >= 0) ? extra : null;
      },
      15_000,
    );
    const server = now.indexOf(1);
    if (wanted.includes(server)) {
      await joinFromPreJoin(page);
      await page.locator('[data-testid="local-tile"][data-participant-id]').waitFor({ timeout: 20_000 });
      console.log(`${name} joined through nginx on server ${server} (attempt ${attempt})`);
      return { name, context, page, server };
    }
  }
  throw new Error(`${name}: nginx never placed the signaling connection on servers ${wanted.join(', ')}`);
}

/** Every page shows exactly the others as tiles (one each, nobody else) and decodes all of them. */
async function allDecodeEachOther(people: Person[], timeoutMs: number): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const p of people) ids.set(p.name, await selfId(p.page));
  await Promise.all(
    people.map(async (p) => {
      const videos = await waitAllDecoding(p.page, people.length - 1, { timeoutMs });
      const expected = people
        .filter((o) => o !== p)
        .map((o) => ids.get(o.name)!)
        .sort();
      assert.deepEqual(videos.map((v) => v.id).sort(), expected, `${p.name} decodes exactly the other participants`);
    }),
  );
  return ids;
}

/** Three people in one room, each on a different server; the first one's server is the room's home. */
async function threeOnThreeServers(c: Cluster, room: string): Promise<Person[]> {
  const alice = await joinOn(c, 'Alice', room, [0, 1, 2]);
  const bob = await joinOn(
    c,
    'Bob',
    room,
    [0, 1, 2].filter((i) => i !== alice.server),
  );
  await allDecodeEachOther([alice, bob], 60_000);
  const carol = await joinOn(
    c,
    'Carol',
    room,
    [0, 1, 2].filter((i) => i !== alice.server && i !== bob.server),
  );
  const people = [alice, bob, carol];
  await allDecodeEachOther(people, 60_000);
  // The servers agree: the first joiner's server holds the room, the other two route to it.
  const health = await Promise.all(c.servers.map(readyz));
  for (const p of people) {
    const h = health[p.server]!.redis;
    if (p === alice) {
      assert.deepEqual(
        [h.rooms, h.remoteConnections, h.routedConnections],
        [1, 2, 0],
        `${p.name}'s server is the home`,
      );
    } else assert.deepEqual([h.rooms, h.routedConnections], [0, 1], `${p.name}'s server routes to the home`);
  }
  return people;
}

/** Per page, each remote's decoded frames every ~250 ms while `during` runs. */
async function sampleFrames(
  people: Person[],
  during: Promise<unknown>,
): Promise<Array<{ at: number; frames: Array<Map<string, number>> }>> {
  const samples: Array<{ at: number; frames: Array<Map<string, number>> }> = [];
  let done = false;
  const finished = during.finally(() => (done = true));
  while (!done) {
    const at = Date.now();
    samples.push({ at, frames: await Promise.all(people.map((p) => framesById(p.page))) });
    await new Promise((r) => setTimeout(r, Math.max(0, 250 - (Date.now() - at))));
  }
  await finished;
  return samples;
}

/** The longest time, in ms, any page went without a new decoded frame of `remote`. */
function longestStall(
  samples: Array<{ at: number; frames: Array<Map<string, number>> }>,
  page: number,
  remote: string,
): number {
  let stall = 0;
  let lastGrowth = samples[0]?.at ?? 0;
  for (let i = 1; i < samples.length; i++) {
    const prev = samples[i - 1]!.frames[page]!.get(remote) ?? 0;
    const cur = samples[i]!.frames[page]!.get(remote) ?? 0;
    if (cur > prev) lastGrowth = samples[i]!.at;
    stall = Math.max(stall, samples[i]!.at - lastGrowth);
  }
  return stall;
}

test('two people on two servers behind nginx call each other; a third on the third server joins them', async () => {
  const c = await startCluster();
  const people = await threeOnThreeServers(c, 'spread');
  assert.equal(new Set(people.map((p) => p.server)).size, 3, 'one person per server');
  // And it holds: nobody is duplicated a moment later.
  await people[0]!.page.waitForTimeout(1_500);
  for (const p of people) assert.equal((await remoteVideos(p.page)).length, 2, `${p.name} shows two tiles`);
});

/**
 * One server is killed (SIGKILL) mid-call: Alice's, the room's home (the hard case: everyone's
 * signaling moves to a new home), or Bob's, which only holds Bob's connection.
 */
async function serverKilledMidCall(victim: 'home' | 'edge', room: string): Promise<void> {
  const c = await startCluster();
  const people = await threeOnThreeServers(c, room);
  const [alice, bob] = people as [Person, Person, Person];
  const ids = await allDecodeEachOther(people, 60_000);
  const idOf = (p: Person): string => ids.get(p.name)!;
  const killedPerson = victim === 'home' ? alice : bob;
  const killed = c.servers[killedPerson.server]!;
  const survivors = c.servers.filter((s) => s !== killed);
  // The two whose signaling did not go through the dead server keep their media to each other.
  const [x, y] = people.filter((p) => p !== killedPerson) as [Person, Person];

  const killedAt = Date.now();
  await killed.kill('SIGKILL');
  console.log(`killed ${killedPerson.name}'s server (${victim === 'home' ? "the room's home" : 'not the home'})`);

  // Recovered: every live server agrees on one home with all three in the room, and every page
  // shows exactly the other two, decoding. Meanwhile, how the media fared.
  const recovered = (async () => {
    let seen = '';
    await until(
      'one live home with three participants',
      async () => {
        const hs = await Promise.all(survivors.map(readyz));
        const inRooms = await Promise.all(survivors.map(participantsOn));
        seen = JSON.stringify({ inRooms, health: hs.map((h) => h.redis) });
        const homes = hs.filter((h) => h.redis.rooms === 1);
        const routed = hs.reduce((n, h) => n + h.redis.routedConnections, 0);
        const remote = hs.reduce((n, h) => n + h.redis.remoteConnections, 0);
        // Three participants in the one home; what the other server routes there, it receives.
        return homes.length === 1 && inRooms.reduce((a, b) => a + b, 0) === 3 && routed === remote ? hs : null;
      },
      90_000,
      () => seen,
    );
    const signaled = Date.now();
    await allDecodeEachOther(people, 90_000);
    return { signaled, decoding: Date.now() };
  })();
  const samples = await sampleFrames(people, recovered);
  const { signaled, decoding } = await recovered;
  console.log(
    `kill -> the servers agree again (one live home, three participants, no connection of the dead server): ${signaled - killedAt} ms; kill -> all pages decode each other: ${decoding - killedAt} ms`,
  );
  for (const e of pageLog.filter((x) => x.at >= killedAt && x.at <= decoding)) {
    console.log(`  +${e.at - killedAt} ms ${e.name}: ${e.text}`);
  }
  for (const [i, p] of people.entries()) {
    for (const o of people) {
      if (o === p) continue;
      console.log(
        `  ${p.name} <- ${o.name}: longest gap between decoded frames ${longestStall(samples, i, idOf(o))} ms`,
      );
    }
  }
  // Peer-to-peer media between the other two never depended on the dead server.
  const [first, last] = [samples[0]!, samples[samples.length - 1]!];
  const [xi, yi] = [people.indexOf(x), people.indexOf(y)];
  assert.ok(last.frames[xi]!.get(idOf(y))! > first.frames[xi]!.get(idOf(y))!, `${x.name} kept decoding ${y.name}`);
  assert.ok(last.frames[yi]!.get(idOf(x))! > first.frames[yi]!.get(idOf(x))!, `${y.name} kept decoding ${x.name}`);

  // Everyone came back as themselves, on a live server.
  for (const p of people) assert.equal(await selfId(p.page), idOf(p), `${p.name} kept the same participant id`);

  // 30 s after the kill: exactly the three, once each, in every page and on the servers.
  const wait = killedAt + 30_000 - Date.now();
  if (wait > 0) await alice.page.waitForTimeout(wait);
  for (const p of people) {
    const tiles = (await remoteVideos(p.page)).map((v) => v.id).sort();
    assert.deepEqual(
      tiles,
      people
        .filter((o) => o !== p)
        .map(idOf)
        .sort(),
      `${p.name}'s tiles 30 s after the kill`,
    );
  }
  const hs = await Promise.all(survivors.map(readyz));
  const participants = await Promise.all(survivors.map(participantsOn));
  assert.equal(
    participants.reduce((a, b) => a + b, 0),
    3,
    `participants in rooms across the live servers: ${JSON.stringify(participants)} ${JSON.stringify(hs)}`,
  );
  assert.equal(
    await Promise.all(survivors.map(socketsOn)).then((n) => n.reduce((a, b) => a + b, 0)),
    3,
    'three signaling connections, all on live servers',
  );
}

test('the room home is killed mid-call: everyone rejoins the new home as themselves, no ghost after 30 s', () =>
  serverKilledMidCall('home', 'killed-home'));

test(
  'a server that is not the home is killed mid-call: its participant rejoins through another, no ghost after 30 s',
  longVariant(),
  () => serverKilledMidCall('edge', 'killed-edge'),
);

test(
  'Redis stops for 10 s mid-call: media never stops, /readyz says so, joins work again after',
  longVariant(),
  async () => {
    const c = await startCluster();
    const people = await threeOnThreeServers(c, 'no-redis');
    const ids = await allDecodeEachOther(people, 60_000);

    const outage = (async () => {
      await c.redis.kill();
      const stoppedAt = Date.now();
      const during = await until(
        'every server reports Redis down',
        async () => {
          const hs = await Promise.all(c.servers.map(readyz));
          return hs.every((h) => h.code === 503 && h.redis.state === 'down') ? hs : null;
        },
        9_000,
      );
      console.log(`redis killed; /readyz 503 on all servers after ${Date.now() - stoppedAt} ms: ${during[0]!.status}`);
      await new Promise((r) => setTimeout(r, Math.max(0, stoppedAt + 10_000 - Date.now())));
      await c.redis.start();
      const restartedAt = Date.now();
      await until(
        'every server reports Redis up',
        async () => {
          const hs = await Promise.all(c.servers.map(readyz));
          return hs.every((h) => h.code === 200 && h.redis.state === 'up') ? hs : null;
        },
        30_000,
      );
      console.log(`redis started again; /readyz 200 on all servers after ${Date.now() - restartedAt} ms`);
      // A little more of the call after Redis is back.
      await new Promise((r) => setTimeout(r, 2_000));
    })();
    const samples = await sampleFrames(people, outage);
    console.log(`sampled every page's frames ${samples.length} times over ${samples.at(-1)!.at - samples[0]!.at} ms`);
    for (const [i, p] of people.entries()) {
      for (const o of people) {
        if (o === p) continue;
        const stall = longestStall(samples, i, ids.get(o.name)!);
        console.log(`  ${p.name} <- ${o.name}: longest gap between decoded frames ${stall} ms`);
      }
    }
    // The media never stopped: every page decoded more frames of every other within every four
    // samples (a second, or more when the machine is busy).
    for (let i = 4; i < samples.length; i += 4) {
      for (const [pi, p] of people.entries()) {
        for (const o of people) {
          if (o === p) continue;
          const id = ids.get(o.name)!;
          const [a, b] = [samples[i - 4]!.frames[pi]!.get(id) ?? 0, samples[i]!.frames[pi]!.get(id) ?? 0];
          assert.ok(
            b > a,
            `${p.name} decoded ${o.name} between ${samples[i - 4]!.at} and ${samples[i]!.at}: ${a} -> ${b}; ` +
              samples.map((x) => `${x.at - samples[0]!.at}:${x.frames[pi]!.get(id) ?? '-'}`).join(' '),
          );
        }
      }
    }

    // The room is still one room: a newcomer on any server joins and is seen by all.
    const dave = await joinOn(c, 'Dave', 'no-redis', [0, 1, 2]);
    const everyone = [...people, dave];
    await allDecodeEachOther(everyone, 90_000);
    for (const p of people)
      assert.equal(await selfId(p.page), ids.get(p.name), `${p.name} kept the same participant id`);
  },
);
