import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import { NetLab, netlabUnavailable, sweepStaleLabs } from './support/netlab';
import { ROOT } from './support/server';

/*
 * The network lab itself, measured with plain UDP and TCP between two namespaces: a cap holds a
 * transfer near its rate, random loss drops about the share asked for, an outage drops
 * everything until it ends, and a lab whose test process dies is removed by the next one.
 */

const skip = netlabUnavailable() ?? false;
let lab: NetLab;

/** A small program run inside a node: a UDP counter, a UDP sender, a TCP sink or a TCP source. */
const PROGRAM = `
const dgram = require('node:dgram'), net = require('node:net');
const [mode, host, port, count] = process.argv.slice(1);
if (mode === 'udp-count') {
  const s = dgram.createSocket('udp4'); let n = 0;
  s.on('message', () => n++);
  s.bind(Number(port), host, () => console.log('ready'));
  process.stdin.on('data', () => console.log('count ' + n));
} else if (mode === 'udp-send') {
  // Paced (20 datagrams a millisecond at most) so the receiver's socket buffer never overflows.
  const s = dgram.createSocket('udp4'); let i = 0; const buf = Buffer.alloc(200);
  const timer = setInterval(() => {
    for (let k = 0; k < 20; k++) if (i++ < Number(count)) s.send(buf, Number(port), host);
    if (i >= Number(count)) { clearInterval(timer); setTimeout(() => s.close(), 50); }
  }, 1);
} else if (mode === 'tcp-sink') {
  net.createServer((c) => { let n = 0; const t0 = Date.now();
    c.on('data', (d) => n += d.length); c.on('end', () => console.log('got ' + n + ' ' + (Date.now() - t0)));
  }).listen(Number(port), host, () => console.log('ready'));
} else if (mode === 'tcp-source') {
  const c = net.connect(Number(port), host, () => c.end(Buffer.alloc(Number(count))));
}
`;

function program(node: string, args: string[]) {
  const child = lab.spawn(node, process.execPath, ['-e', PROGRAM, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (d: string) => lines.push(...d.trim().split('\n')));
  const waitFor = async (prefix: string): Promise<string> => {
    for (let i = 0; i < 600; i++) {
      const line = lines.find((l) => l.startsWith(prefix));
      if (line) {
        lines.splice(lines.indexOf(line), 1);
        return line;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no "${prefix}" from ${args[0]} in ${node}`);
  };
  return { child, waitFor };
}

/** Send `count` UDP datagrams from a to b and return how many b received. */
async function udpDelivered(count: number, port: number): Promise<number> {
  const b = lab.node('b');
  const counter = program('b', ['udp-count', b.address, String(port)]);
  await counter.waitFor('ready');
  const sender = program('a', ['udp-send', b.address, String(port), String(count)]);
  await once(sender.child, 'exit');
  await new Promise((r) => setTimeout(r, 300));
  counter.child.stdin!.write('?\n');
  const n = Number((await counter.waitFor('count')).split(' ')[1]);
  counter.child.kill();
  return n;
}

before(async () => {
  if (skip) return;
  lab = await NetLab.create();
  await lab.addNode('a');
  await lab.addNode('b');
});

after(async () => {
  await lab?.close();
});

test('nodes reach each other and the test process through the router', { skip }, async () => {
  assert.equal(await udpDelivered(200, 4000), 200);
  // The test process reaches a node's address over its own link.
  const sink = program('b', ['tcp-sink', lab.node('b').address, '4001']);
  await sink.waitFor('ready');
  const net = await import('node:net');
  const c = net.connect(4001, lab.node('b').address, () => c.end(Buffer.alloc(1000)));
  assert.match(await sink.waitFor('got'), /^got 1000 /);
  sink.child.kill();
});

test('random loss drops about the share asked for, one way only', { skip }, async () => {
  await lab.loss('b', 'down', 15);
  const n = 3000;
  const got = await udpDelivered(n, 4002);
  const lost = 1 - got / n;
  console.log(`# 15 % loss asked: ${(lost * 100).toFixed(1)} % of ${n} datagrams lost`);
  assert.ok(lost > 0.1 && lost < 0.2, `lost ${(lost * 100).toFixed(1)} %`);
  await lab.loss('b', 'both', 0);
  assert.equal(await udpDelivered(500, 4003), 500, 'loss ends when set to 0');
  // Loss on b's uplink does not touch what b receives.
  await lab.loss('b', 'up', 50);
  assert.equal(await udpDelivered(500, 4004), 500);
  await lab.clear('b');
});

test('a bandwidth cap holds a transfer near its rate, and lifts', { skip }, async () => {
  const bytes = 250_000;
  const transfer = async (port: number): Promise<number> => {
    const sink = program('b', ['tcp-sink', lab.node('b').address, String(port)]);
    await sink.waitFor('ready');
    program('a', ['tcp-source', lab.node('b').address, String(port), String(bytes)]);
    const [, n, ms] = (await sink.waitFor('got')).split(' ').map(Number);
    sink.child.kill();
    assert.equal(n, bytes);
    return (bytes * 8) / Math.max(ms!, 1); // kbit/s
  };
  await lab.limit('b', 'down', 1000);
  const capped = await transfer(4005);
  console.log(`# 1000 kbit/s cap on b's downlink: a TCP transfer ran at ${capped.toFixed(0)} kbit/s`);
  assert.ok(capped < 1300, `${capped.toFixed(0)} kbit/s through a 1000 kbit/s cap`);
  await lab.limit('b', 'down', null);
  await lab.limit('a', 'up', 1000);
  const upCapped = await transfer(4006);
  console.log(`# 1000 kbit/s cap on a's uplink: ${upCapped.toFixed(0)} kbit/s`);
  assert.ok(upCapped < 1300);
  await lab.limit('a', 'up', null);
  const free = await transfer(4007);
  console.log(`# no cap: ${free.toFixed(0)} kbit/s`);
  assert.ok(free > 2000, `without a cap the transfer is not held (${free.toFixed(0)} kbit/s)`);
});

test('an outage drops everything until it ends', { skip }, async () => {
  await lab.outage('a', true);
  assert.equal(await udpDelivered(200, 4008), 0);
  await lab.outage('a', false);
  assert.equal(await udpDelivered(200, 4009), 200);
  const { up, down } = await lab.counters('a');
  assert.ok(up.packets >= 400, `the router counted a's packets (${up.packets} up, ${down.packets} down)`);
});

test('bad conditions are refused with a clear error', { skip }, async () => {
  await assert.rejects(lab.loss('a', 'both', 150), /from 0 to 100/);
  await assert.rejects(lab.limit('a', 'up', 0), /at least 8/);
  await assert.rejects(lab.outage('nobody', true), /no lab node "nobody"/);
});

test("a lab whose test process died is removed by the next one's sweep", { skip }, async () => {
  const script = `import { NetLab } from './e2e/support/netlab.ts';
const lab = await NetLab.create({ reachable: false }); await lab.addNode('x'); console.log('ready ' + lab.router);
setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  const router = /ready (\S+)/.exec(line.toString())![1]!;
  const list = (): string => execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  assert.match(list(), new RegExp(router));
  child.kill('SIGKILL');
  await once(child, 'exit');
  assert.match(list(), new RegExp(router), 'a killed process leaves its namespaces behind');
  const removed = sweepStaleLabs();
  assert.ok(removed.includes(router), `swept ${removed.join(', ')}`);
  assert.doesNotMatch(list(), new RegExp(router));
  assert.match(list(), new RegExp(lab.router), "a live lab's namespaces stay");
});
