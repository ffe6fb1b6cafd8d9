// `npm run soak`: the long call (see soak.ts). SOAK_MINUTES (default 30), SOAK_SAMPLE_SECONDS
// (default 30), SOAK_HEAP_SNAPSHOTS=1 to keep server heap snapshots at minute 1 and at the end.
// Writes bench/results/soak.json and bench/results/soak.md; exits 1 when a limit is passed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LIMITS, runSoak, soakMarkdown } from './soak';

const results = fileURLToPath(new URL('../results', import.meta.url));
mkdirSync(results, { recursive: true });
const minutes = Number(process.env.SOAK_MINUTES ?? 30);
const sampleSeconds = Number(process.env.SOAK_SAMPLE_SECONDS ?? 30);
const snapshots = process.env.SOAK_HEAP_SNAPSHOTS === '1';
const loadBefore = loadavg();
const started = new Date();
const result = await runSoak({
  minutes,
  sampleSeconds,
  heapSnapshots: snapshots
    ? {
        baseline: join(results, 'soak-server-baseline.heapsnapshot'),
        end: join(results, 'soak-server-end.heapsnapshot'),
      }
    : undefined,
  log: (m) => process.stderr.write(`[soak] ${m}\n`),
});
const machine = `${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const la = (l: number[]): string => l.map((x) => x.toFixed(2)).join(' ');
const md =
  `## Long call (${minutes} min)\n\nA four-person room through the forwarding unit and a three-person mesh room ` +
  `(ROOM_TOPOLOGY=auto, MESH_MAX=3), seven Chromium pages with fake cameras, a chat message every 5 s and a ` +
  `screen share switched every 30 s in each room. Heaps after a forced collection.\n\n` +
  soakMarkdown(result, minutes > 5 ? 60 : 0) +
  `\n\nMachine: ${machine}; load average ${la(loadBefore)} before, ${la(loadavg())} after.\n`;
writeFileSync(join(results, 'soak.md'), md);
writeFileSync(
  join(results, 'soak.json'),
  JSON.stringify({ name: 'soak', date: started.toISOString(), machine, ...result }, null, 2) + '\n',
);
console.log(md);
const g = result.growth;
const ok = g.pageHeapMb < LIMITS.pageHeapMb && g.serverRssMb < LIMITS.serverRssMb;
if (!ok) console.error('soak: growth over the limits');
process.exit(ok ? 0 : 1);
