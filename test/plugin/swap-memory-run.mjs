// Run by swap-memory.test.ts in a child process (with --expose-gc), against the built dist/:
// replaces a drop-in processor N times and prints heap and RSS after each 50 swaps as JSON.
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Host } from '../../dist/host/host.js';

const swaps = Number(process.argv[2]);
const dir = mkdtempSync(join(tmpdir(), 'sluice-swap-memory-'));
const plugin = (version, type = 'counter', kind = 'processor') =>
  `export default { kind: '${kind}', type: '${type}', api: 1, stability: 'development', description: 'v${version}', config: {},
     create(ctx, config, next) { const big = new Array(50000).fill(${version}); return { consume: (b) => next.consume(b), snapshot: () => ({ n: big.length }) }; } };`;
const install = (name, text) => {
  writeFileSync(join(dir, `.${name}`), text);
  renameSync(join(dir, `.${name}`), join(dir, name));
};
install('counter.mjs', plugin(0));
install('src.mjs', plugin(0, 'src', 'source'));
install('snk.mjs', plugin(0, 'snk', 'sink'));
const host = new Host({
  logger: pino({ level: 'silent' }),
  pluginsDir: dir,
  watchPlugins: false,
  config: {
    storage: { path: join(dir, 'data') },
    sources: { 'src/in': {} },
    processors: { 'counter/c': {} },
    sinks: { 'snk/out': {} },
    pipelines: { p: { sources: ['src/in'], processors: ['counter/c'], sinks: ['snk/out'] } },
  },
});
await host.start();
const samples = [];
for (let i = 1; i <= swaps; i++) {
  install('counter.mjs', plugin(i));
  await host.syncPlugins();
  if (i % 50 === 0) {
    global.gc();
    const m = process.memoryUsage();
    samples.push({ swaps: i, heapUsed: m.heapUsed, rss: m.rss, generation: host.status().find((s) => s.id === 'counter/c').generation });
  }
}
await host.stop();
rmSync(dir, { recursive: true, force: true });
process.stdout.write(JSON.stringify(samples));
