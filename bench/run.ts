// Runs benchmarks: `npm run bench` (all) or `npm run bench -- NAME [NAME ...]`; `--smoke` for the
// small variants. Prints a markdown table per benchmark and writes bench/results/<name>.json (and,
// for signal, setup and files, SVG charts beside it: see support/svgChart.ts).
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chartsFor } from './support/svgChart';
import type { BenchResult, Benchmark } from './types';

const dir = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);
const smoke = args.includes('--smoke');
const wanted = args.filter((a) => !a.startsWith('--'));

const available = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''))
  .sort();
const names = wanted.length > 0 ? wanted : available;
for (const n of names) {
  if (!available.includes(n)) {
    console.error(`unknown benchmark "${n}"; available: ${available.join(', ')}`);
    process.exit(2);
  }
}

export function markdownTable(r: BenchResult): string {
  const line = (cells: Array<string | number>): string => `| ${cells.join(' | ')} |`;
  return [line(r.columns), line(r.columns.map(() => '---')), ...r.rows.map(line)].join('\n');
}

const machine = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? '?',
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
};
mkdirSync(join(dir, 'results'), { recursive: true });
let failed = 0;
for (const name of names) {
  const mod = (await import(pathToFileURL(join(dir, `${name}.bench.ts`)).href)) as { default: Benchmark };
  const bench = mod.default;
  console.log(`\n## ${bench.name}${smoke ? ' (smoke)' : ''}\n\n${bench.description}\n`);
  const started = Date.now();
  // The machine may be shared: record how busy it was around the run.
  const loadBefore = loadavg();
  try {
    const result = await bench.run({ smoke, log: (m) => process.stderr.write(`[${name}] ${m}\n`) });
    if (result.skipped !== undefined) console.log(`Skipped: ${result.skipped}`);
    else console.log(markdownTable(result));
    for (const n of result.notes ?? []) console.log(`\n${n}`);
    const la = (l: number[]): string => l.map((x) => x.toFixed(2)).join(' ');
    console.log(
      `\nMachine: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}; ` +
        `load average ${la(loadBefore)} before, ${la(loadavg())} after.`,
    );
    const out = {
      name,
      smoke,
      date: new Date().toISOString(),
      machine,
      seconds: (Date.now() - started) / 1000,
      loadAverage: { before: loadBefore, after: loadavg() },
      ...result,
    };
    writeFileSync(join(dir, 'results', `${name}${smoke ? '.smoke' : ''}.json`), JSON.stringify(out, null, 2) + '\n');
    // Pictures of the same figures beside the JSON (relay latency, set-up milestones, file throughput).
    for (const chart of chartsFor(name, result)) {
      writeFileSync(join(dir, 'results', `${name}${chart.suffix}${smoke ? '.smoke' : ''}.svg`), chart.svg);
    }
  } catch (err) {
    failed++;
    console.error(`benchmark ${name} failed:`, err);
  }
}
process.exit(failed > 0 ? 1 : 0);
