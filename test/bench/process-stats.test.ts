import { describe, expect, it } from 'vitest';
import { parseCpuTicks, parsePeakRss, readProcessStats } from '../../bench/lib/process-stats.js';

describe('process stats', () => {
  it('reads the peak RSS from the VmHWM line in kB', () => {
    expect(parsePeakRss('Name:\tvmagent\nVmPeak:\t  900000 kB\nVmHWM:\t   81234 kB\nVmRSS:\t 70000 kB\n')).toBe(81234 * 1024);
    expect(() => parsePeakRss('Name:\tx\n')).toThrow(/VmHWM/);
  });

  it('adds user and system time even when the command name has spaces and parentheses', () => {
    const stat = '4242 (my (odd) prog) S 1 4242 4242 0 -1 4194560 500 0 0 0 1234 56 0 0 20 0 8 0 100 1000000 2000';
    expect(parseCpuTicks(stat)).toBe(1234 + 56);
  });

  it('reads a live process: this one has used memory and some CPU', () => {
    let x = 0;
    for (let i = 0; i < 5e7; i++) x += i;
    expect(x).toBeGreaterThan(0);
    const s = readProcessStats(process.pid);
    expect(s.peakRssBytes).toBeGreaterThan(10 << 20);
    expect(s.cpuSeconds).toBeGreaterThan(0);
  });
});
