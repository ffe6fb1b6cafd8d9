import assert from 'node:assert/strict';
import { test } from 'node:test';
import { barChart, chartsFor, lineChart, ticks } from './svgChart';

test('ticks are round numbers from 0 that reach the largest value', () => {
  assert.deepEqual(ticks(9.3), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(ticks(730), [0, 200, 400, 600, 800]);
  assert.deepEqual(ticks(1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
});

test('a line chart is one SVG with a line and a dot per point and an escaped legend', () => {
  const svg = lineChart({
    title: 'Relay <latency>',
    xLabel: 'clients',
    yLabel: 'ms',
    logX: true,
    series: [
      {
        name: 'parley p50',
        points: [
          [100, 2],
          [1000, 3],
          [10_000, 9],
        ],
      },
      { name: 'a & b', points: [[100, 5]] },
    ],
  });
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, /<title>Relay &lt;latency&gt;<\/title>/);
  assert.equal((svg.match(/<polyline /g) ?? []).length, 2);
  assert.equal((svg.match(/<circle /g) ?? []).length, 4);
  assert.match(svg, />a &amp; b</);
  assert.doesNotMatch(svg, /NaN|Infinity|undefined/);
  // Log x: 100, 1000 and 10000 are evenly spaced.
  const xs = [...svg.matchAll(/<circle cx="([\d.]+)"/g)].map((m) => Number(m[1])).slice(0, 3);
  assert.ok(Math.abs(xs[1]! - xs[0]! - (xs[2]! - xs[1]!)) < 0.2, `evenly spaced: ${xs.join(', ')}`);
});

test('a bar chart has one bar per entry, its value above it', () => {
  const svg = barChart({
    title: 't',
    yLabel: 'ms',
    bars: [
      { label: 'a', value: 120 },
      { label: 'b', value: 280 },
    ],
  });
  assert.equal((svg.match(/<rect x="[\d.]+" y="[\d.]+" width/g) ?? []).length, 2 + 0);
  assert.match(svg, />280</);
});

test('chartsFor draws relay latency against clients, set-up milestones and file throughput', () => {
  const signal = chartsFor('signal', {
    columns: [
      'scenario',
      'server',
      'clients',
      'joined',
      'join p50',
      'join p99',
      'joins/s',
      'relay p50',
      'relay p95',
      'relay p99',
    ],
    rows: [
      ['rooms of 4', 'parley', 1000, 1000, 3, 9, 500, 1.2, 2, 3.5],
      ['rooms of 4', 'parley', 10000, 10000, 5, 20, 480, 2.5, 5, 11],
    ],
  });
  assert.equal(signal[0]?.suffix, '-relay');
  assert.equal((signal[0]?.svg.match(/<polyline /g) ?? []).length, 2, 'p50 and p99 lines');
  const setup = chartsFor('setup', {
    columns: ['milestone (ms after the second Join click)', 'page', 'p50', 'p90', 'min', 'max', 'runs'],
    rows: [
      ['joined', 'newcomer', 40, 50, 30, 60, 10],
      ['**first frame on both sides**', 'both', '**280**', 300, 250, 320, 10],
    ],
  });
  assert.match(setup[0]?.svg ?? '', />2. first frame on both sides \(both\)</);
  assert.match(setup[0]?.svg ?? '', />280</);
  const files = chartsFor('files', {
    columns: ['size (MB)', 'receivers', 'seconds (offer to all verified)', 'MB/s per receiver', 'MB/s total'],
    rows: [
      [5, 1, '0.50', '10.0', '10.0'],
      [50, 1, '4.00', '12.5', '12.5'],
      [50, 3, '9.00', '5.6', '16.7'],
    ],
  });
  assert.equal((files[0]?.svg.match(/<polyline /g) ?? []).length, 2, 'one line per receiver count');
  assert.deepEqual(chartsFor('mesh', { columns: [], rows: [] }), []);
  assert.deepEqual(chartsFor('files', { columns: [], rows: [], skipped: 'no browser' }), []);
});
