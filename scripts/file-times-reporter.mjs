// A test reporter for a stage that runs one file at a time (the browser tests): how long each
// file took, its hooks included, slowest first. Node reports a file's tests when the file ends,
// so a file's time runs from the previous file's last report to its own last report.
import { relative } from 'node:path';

const SHOWN = 12;

export default async function* fileTimes(source) {
  let lastReport = Date.now();
  /** File -> when it started (the report before its first) and its last report, in ms. */
  const spans = new Map();
  for await (const event of source) {
    const file = event.data?.file;
    if (!file || event.type === 'test:enqueue' || event.type === 'test:dequeue') continue;
    const now = Date.now();
    const span = spans.get(file) ?? { start: lastReport, end: now };
    span.end = now;
    spans.set(file, span);
    lastReport = now;
  }
  const rows = [...spans].map(([file, s]) => [file, (s.end - s.start) / 1000]).sort((a, b) => b[1] - a[1]);
  const total = rows.reduce((sum, [, t]) => sum + t, 0);
  yield `\nslowest files (of ${rows.length}, ${total.toFixed(0)} s in all):\n`;
  for (const [file, t] of rows.slice(0, SHOWN))
    yield `  ${t.toFixed(1).padStart(6)} s  ${relative(process.cwd(), file)}\n`;
}
