/**
 * Small SVG charts of benchmark results, written next to their JSON (no chart library): a line
 * chart (y against x, one line per series) and a bar chart. `chartsFor` picks what to draw for
 * the benchmarks that have a picture: relay latency against clients (`signal`), set-up milestones
 * (`setup`) and file throughput against size (`files`). The SVGs are plain text, so they diff and
 * render on GitHub and in docs/PERFORMANCE.md.
 */
import type { BenchResult } from '../types';

export interface Series {
  name: string;
  points: Array<[number, number]>;
}

const W = 800;
const H = 380;
const M = { top: 40, right: 300, bottom: 50, left: 60 };
const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#4b5563', '#ca8a04'];

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const r1 = (n: number): number => Math.round(n * 10) / 10;

/** About five round tick values from 0 (or `min`) to at least `max`. */
export function ticks(max: number, min = 0): number[] {
  const span = Math.max(max - min, 1e-9);
  const raw = span / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((s) => s * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let k = Math.floor(min / step); k * step < max + step - 1e-9; k++) out.push(Number((k * step).toPrecision(12)));
  return out;
}

const fmt = (v: number): string => (Math.abs(v) >= 1000 ? `${r1(v / 1000)}k` : String(r1(v)));

function frame(title: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<title>${esc(title)}</title>`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${M.left}" y="22" font-size="15" font-weight="bold">${esc(title)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

function axes(xLabel: string, yLabel: string, yTicks: number[], y: (v: number) => number): string[] {
  const out = [
    `<line x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}" stroke="#333"/>`,
    `<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${H - M.bottom}" stroke="#333"/>`,
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 12}" text-anchor="middle">${esc(xLabel)}</text>`,
    `<text transform="translate(16 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`,
  ];
  for (const t of yTicks) {
    out.push(
      `<line x1="${M.left}" y1="${r1(y(t))}" x2="${W - M.right}" y2="${r1(y(t))}" stroke="#e5e7eb"/>`,
      `<text x="${M.left - 6}" y="${r1(y(t)) + 4}" text-anchor="end">${fmt(t)}</text>`,
    );
  }
  return out;
}

/** A line chart of `series` (x and y from 0; `logX` for an axis that doubles, e.g. clients). */
export function lineChart(opts: {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  logX?: boolean;
}): string {
  const pts = opts.series.flatMap((s) => s.points);
  const fx = (v: number): number => (opts.logX ? Math.log10(Math.max(v, 1e-9)) : v);
  const xs = pts.map(([x]) => fx(x));
  const xMin = opts.logX ? Math.min(...xs) : 0;
  const xMax = Math.max(...xs, xMin + 1e-9);
  const yTicks = ticks(Math.max(...pts.map(([, v]) => v), 1e-9));
  const yTop = yTicks.at(-1) ?? 1;
  const x = (v: number): number =>
    M.left + ((fx(v) - xMin) / (xMax - xMin || 1)) * (W - M.left - M.right) * (xMax === xMin ? 0.5 : 1);
  const y = (v: number): number => H - M.bottom - (v / yTop) * (H - M.top - M.bottom);
  const body = axes(opts.xLabel, opts.yLabel, yTicks, y);
  const xValues = [...new Set(pts.map(([v]) => v))].sort((a, b) => a - b);
  for (const v of xValues) {
    body.push(`<text x="${r1(x(v))}" y="${H - M.bottom + 16}" text-anchor="middle">${fmt(v)}</text>`);
  }
  opts.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const sorted = [...s.points].sort((a, b) => a[0] - b[0]);
    const line = sorted.map(([px, py]) => `${r1(x(px))},${r1(y(py))}`).join(' ');
    body.push(`<polyline points="${line}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const [px, py] of sorted) body.push(`<circle cx="${r1(x(px))}" cy="${r1(y(py))}" r="3" fill="${color}"/>`);
    const ly = M.top + 10 + i * 18;
    body.push(
      `<rect x="${W - M.right + 12}" y="${ly - 8}" width="10" height="10" fill="${color}"/>`,
      `<text x="${W - M.right + 28}" y="${ly + 1}">${esc(s.name)}</text>`,
    );
  });
  return frame(opts.title, body);
}

/** A bar chart, one bar per entry, labels under the bars. */
export function barChart(opts: {
  title: string;
  yLabel: string;
  bars: Array<{ label: string; value: number }>;
}): string {
  const yTicks = ticks(Math.max(...opts.bars.map((b) => b.value), 1e-9));
  const yTop = yTicks.at(-1) ?? 1;
  const y = (v: number): number => H - M.bottom - (v / yTop) * (H - M.top - M.bottom);
  const body = axes('', opts.yLabel, yTicks, y);
  const slot = (W - M.left - M.right) / Math.max(opts.bars.length, 1);
  opts.bars.forEach((b, i) => {
    const bx = M.left + i * slot + slot * 0.15;
    body.push(
      `<rect x="${r1(bx)}" y="${r1(y(b.value))}" width="${r1(slot * 0.7)}" height="${r1(H - M.bottom - y(b.value))}" fill="${COLORS[0]}"/>`,
      `<text x="${r1(bx + slot * 0.35)}" y="${r1(y(b.value)) - 4}" text-anchor="middle">${fmt(b.value)}</text>`,
      `<text x="${r1(bx + slot * 0.35)}" y="${H - M.bottom + 14}" text-anchor="middle">${i + 1}</text>`,
      // Labels are long: numbered under the bars, named in the key on the right.
      `<text x="${W - M.right + 12}" y="${M.top + 10 + i * 18}">${i + 1}. ${esc(b.label)}</text>`,
    );
  });
  return frame(opts.title, body);
}

const num = (cell: unknown): number => Number.parseFloat(String(cell ?? '').replace(/[*,]/g, ''));

function column(r: BenchResult, name: string): number {
  return r.columns.findIndex((c) => c === name || c.startsWith(name));
}

/** The charts for one benchmark's result: `suffix` goes after `<name>` in the file name. */
export function chartsFor(name: string, r: BenchResult): Array<{ suffix: string; svg: string }> {
  if (r.skipped !== undefined || r.rows.length === 0) return [];
  const groups = (key: (row: Array<string | number>) => string, xCol: number, yCol: number): Series[] => {
    const by = new Map<string, Series>();
    for (const row of r.rows) {
      const [xv, yv] = [num(row[xCol]), num(row[yCol])];
      if (!Number.isFinite(xv) || !Number.isFinite(yv)) continue;
      const k = key(row);
      const s = by.get(k) ?? { name: k, points: [] };
      s.points.push([xv, yv]);
      by.set(k, s);
    }
    return [...by.values()];
  };
  if (name === 'signal') {
    const [clients, p50, p99] = [column(r, 'clients'), column(r, 'relay p50'), column(r, 'relay p99')];
    if (clients < 0 || p50 < 0 || p99 < 0) return [];
    const label = (row: Array<string | number>): string => `${row[0]} ${row[1]}`;
    return [
      {
        suffix: '-relay',
        svg: lineChart({
          title: 'Signal relay latency against clients',
          xLabel: 'connected clients',
          yLabel: 'relay latency (ms)',
          logX: true,
          series: [
            ...groups((row) => `${label(row)} p50`, clients, p50),
            ...groups((row) => `${label(row)} p99`, clients, p99),
          ],
        }),
      },
    ];
  }
  if (name === 'setup') {
    const p50 = column(r, 'p50');
    if (p50 < 0) return [];
    const bars = r.rows
      .map((row) => ({ label: `${String(row[0]).replace(/\*/g, '')} (${row[1]})`, value: num(row[p50]) }))
      .filter((b) => Number.isFinite(b.value));
    return [
      {
        suffix: '-milestones',
        svg: barChart({ title: 'Call set-up milestones (p50, ms after the Join click)', yLabel: 'ms', bars }),
      },
    ];
  }
  if (name === 'files') {
    const [size, rate, receivers] = [column(r, 'size (MB)'), column(r, 'MB/s per receiver'), column(r, 'receivers')];
    if (size < 0 || rate < 0) return [];
    return [
      {
        suffix: '-throughput',
        svg: lineChart({
          title: 'File transfer throughput against size',
          xLabel: 'file size (MB)',
          yLabel: 'MB/s per receiver',
          logX: true,
          series: groups((row) => `${row[receivers]} receiver(s)`, size, rate),
        }),
      },
    ];
  }
  return [];
}
