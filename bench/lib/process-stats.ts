import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** What a program cost while it ran. */
export interface ProcessStats {
  /** Peak resident set size (VmHWM), bytes. */
  peakRssBytes: number;
  /** User plus system CPU time, seconds. */
  cpuSeconds: number;
}

let clockTicks: number | undefined;

/** Kernel clock ticks per second, the unit of the CPU times in /proc/<pid>/stat (almost always 100). */
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/**
 * Reads a live process's peak RSS and CPU time from /proc. Call it before stopping the process:
 * once it has exited, /proc no longer has it. Throws when the process is gone.
 */
export function readProcessStats(pid: number): ProcessStats {
  return {
    peakRssBytes: parsePeakRss(readFileSync(`/proc/${pid}/status`, 'utf8')),
    cpuSeconds: parseCpuTicks(readFileSync(`/proc/${pid}/stat`, 'utf8')) / ticksPerSecond(),
  };
}

/** VmHWM from the text of /proc/<pid>/status, in bytes. */
export function parsePeakRss(status: string): number {
  const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
  if (!m) throw new Error('no VmHWM line in /proc/<pid>/status');
  return Number(m[1]) * 1024;
}

/** utime + stime (fields 14 and 15) from the text of /proc/<pid>/stat, in clock ticks. */
export function parseCpuTicks(stat: string): number {
  // The command name (field 2) is in parentheses and may itself contain spaces or ')'.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state), so field n is rest[n - 3].
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error('malformed /proc/<pid>/stat');
  return utime + stime;
}
