import { defineConfig } from 'vitest/config';

// Two tiers: `unit` needs nothing but `npm install`; `peers` runs against real peer programs
// (Prometheus, VictoriaMetrics, vmagent, the librdkafka mock cluster) and peer test data.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          setupFiles: ['test/kit/fast-check-seed.ts'],
          exclude: ['test/peers/**'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'peers',
          include: ['test/peers/**/*.test.ts'],
          setupFiles: ['test/kit/fast-check-seed.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
