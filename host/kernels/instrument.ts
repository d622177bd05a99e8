import { Counter, type Registry } from 'prom-client';

/** Where kernel calls are counted and timed (`sluice_kernel_calls_total`, `sluice_kernel_seconds_total`). */
export interface KernelStats {
  record(kernel: string, fn: string, seconds: number): void;
}

export function kernelStats(registry: Registry): KernelStats {
  const calls = new Counter({ name: 'sluice_kernel_calls_total', help: 'Calls into a WebAssembly kernel (or its reference), by kernel and function.', labelNames: ['kernel', 'function', 'implementation'], registers: [registry] });
  const seconds = new Counter({ name: 'sluice_kernel_seconds_total', help: 'Time spent in a kernel function.', labelNames: ['kernel', 'function', 'implementation'], registers: [registry] });
  const children = new Map<string, [{ inc(v?: number): void }, { inc(v?: number): void }]>();
  return {
    record(kernel, fn, s) {
      const key = `${kernel}\u0000${fn}`;
      let c = children.get(key);
      if (!c) {
        const [name, impl = ''] = kernel.split('@');
        const labels = { kernel: name!, function: fn, implementation: impl };
        c = [calls.labels(labels), seconds.labels(labels)];
        children.set(key, c);
      }
      c[0].inc();
      c[1].inc(s);
    },
  };
}

/**
 * Times the batch-level methods of a kernel instance. Only methods called once per batch or
 * chunk are worth it: a clock read per call costs tens of nanoseconds.
 */
export function instrument<T extends object>(target: T, kernel: string, methods: readonly (keyof T & string)[], stats: KernelStats): T {
  for (const name of methods) {
    const original = target[name] as unknown as (...args: unknown[]) => unknown;
    if (typeof original !== 'function') continue;
    Object.defineProperty(target, name, {
      value: (...args: unknown[]) => {
        const start = performance.now();
        try {
          return original.apply(target, args);
        } finally {
          stats.record(kernel, name, (performance.now() - start) / 1000);
        }
      },
    });
  }
  return target;
}
