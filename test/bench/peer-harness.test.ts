import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sumMetric } from '../../bench/lib/e2e-targets.js';
import { startProgram } from '../../bench/lib/peer-harness.js';

describe('startProgram', () => {
  it('pins the program to the requested core and reads its memory and CPU while it runs', async () => {
    const p = await startProgram({ name: 'busy node', command: process.execPath, args: ['-e', 'let x = 0; for (let i = 0; i < 3e7; i++) x += i; setInterval(() => {}, 1000);'], cpu: 0 });
    try {
      // taskset execs the program: the pid is the program's, and its affinity is core 0 only.
      await new Promise((r) => setTimeout(r, 300));
      expect(readFileSync(`/proc/${p.pid}/status`, 'utf8')).toMatch(/^Cpus_allowed_list:\s+0$/m);
      expect(readFileSync(`/proc/${p.pid}/cmdline`, 'utf8')).toContain('setInterval');
      const s = p.stats();
      expect(s.peakRssBytes).toBeGreaterThan(1 << 20);
      expect(s.cpuSeconds).toBeGreaterThan(0);
      expect(p.exitCode()).toBeUndefined();
    } finally {
      await p.stop();
    }
    expect(p.exitCode()).not.toBeUndefined();
  });

  it('refuses a missing program with its path, before spawning anything', async () => {
    await expect(startProgram({ name: 'vmagent', command: '/nonexistent/vmagent', args: [] })).rejects.toThrow(/vmagent not found at \/nonexistent\/vmagent/);
  });

  it('reports a program that exits before it is ready, with what it wrote to stderr', async () => {
    const start = startProgram({ name: 'crasher', command: process.execPath, args: ['-e', 'console.error("cannot bind: address in use"); process.exit(3)'], readyUrl: 'http://127.0.0.1:9/health', readyTimeoutMs: 10_000 });
    await expect(start).rejects.toThrow(/crasher did not become ready[\s\S]*exited with code 3[\s\S]*cannot bind: address in use/);
  });
});

describe('sumMetric', () => {
  it('adds the samples of one metric that carry the label, ignoring longer names', () => {
    const text = [
      '# TYPE vm_rows_inserted_total counter',
      'vm_rows_inserted_total{type="promremotewrite"} 1200',
      'vm_rows_inserted_total{type="influx"} 7',
      'vm_rows_inserted_total_extra{type="promremotewrite"} 99',
      'vm_rows_inserted_total{type="promremotewrite",tenant="1"} 34',
    ].join('\n');
    expect(sumMetric(text, 'vm_rows_inserted_total', 'type="promremotewrite"')).toBe(1234);
  });
});
