import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { freePort } from './free-port.js';

export interface RunningNodeExporter {
  /** host:port to scrape. */
  target: string;
  stop(): Promise<void>;
}

/**
 * Starts Prometheus's node_exporter (Debian's prometheus-node-exporter) on 127.0.0.1 with a few
 * cheap collectors, and waits until /metrics answers. Throws when the binary is missing.
 */
export async function startNodeExporter(binary = process.env.NODE_EXPORTER_BIN ?? '/usr/bin/prometheus-node-exporter'): Promise<RunningNodeExporter> {
  if (!existsSync(binary)) throw new Error(`node_exporter not found at ${binary}: apt-get install prometheus-node-exporter, or set NODE_EXPORTER_BIN`);
  const port = await freePort();
  const child = spawn(binary, [`--web.listen-address=127.0.0.1:${port}`, '--collector.disable-defaults', '--collector.loadavg', '--collector.meminfo', '--collector.cpu', '--collector.time'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/metrics`)).ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`node_exporter did not start on port ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    target: `127.0.0.1:${port}`,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
