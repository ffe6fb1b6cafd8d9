/** What the kernel says about a process (Linux /proc): CPU time and memory, read from outside. */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on Linux). */
const TICKS_PER_SECOND = 100;

export interface ProcSample {
  /** User + system CPU seconds used so far. */
  cpuSeconds: number;
  /** Resident set size, bytes. */
  rss: number;
  /** Peak resident set size so far, bytes. */
  peakRss: number;
}

/** Read CPU seconds and RSS of `pid` from /proc. */
export function sampleProcess(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { cpuSeconds: (utime + stime) / TICKS_PER_SECOND, rss: kb('VmRSS') * 1024, peakRss: kb('VmHWM') * 1024 };
}

/**
 * The process's open-file limit (each client connection takes one descriptor) and how many
 * descriptors it holds now.
 */
export function descriptors(pid: number): { limit: number; open: number } {
  const limits = readFileSync(`/proc/${pid}/limits`, 'utf8');
  const m = /^Max open files\s+(\d+|unlimited)/m.exec(limits);
  const limit = m?.[1] === undefined || m[1] === 'unlimited' ? Infinity : Number(m[1]);
  return { limit, open: readdirSync(`/proc/${pid}/fd`).length };
}

/** CPU seconds used so far by every descendant of `root` (not `root` itself): the browsers it started. */
export function descendantsCpuSeconds(root: number): number {
  const parent = new Map<number, number>();
  const cpu = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(pid, Number(fields[1]));
      cpu.set(pid, (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND);
    } catch {
      // Gone meanwhile.
    }
  }
  let total = 0;
  for (const [pid, seconds] of cpu) {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) {
      if (p === root) {
        total += seconds;
        break;
      }
    }
  }
  return total;
}
