/**
 * Work written once as a generator and run either at once (a hot swap needs the state now) or in
 * slices between which the event loop serves requests (a periodic snapshot of a million series).
 * A step is the code between two `yield`s; keep each one short (about a thousand items).
 */
export type Steps<T> = Generator<void, T, void>;

/** Runs every step now. */
export function runNow<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * Runs steps for about `budgetMs` at a time, then lets the event loop turn (setImmediate, so
 * I/O callbacks and timers that are due run first) before the next slice.
 */
export async function runSliced<T>(steps: Steps<T>, budgetMs = 5): Promise<T> {
  let sliceStart = performance.now();
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (performance.now() - sliceStart < budgetMs) continue;
    await new Promise<void>((resolve) => setImmediate(resolve));
    sliceStart = performance.now();
  }
}

/**
 * Runs a generator up to its first `yield`, now: what a capture copies there is the state of this
 * instant, whenever the remaining steps run. Its `finally` blocks run on return() from then on.
 */
export function started<T>(steps: Steps<T>): Steps<T> {
  const first = steps.next();
  if (!first.done) return steps;
  // Finished without yielding: hand the value back through a generator that returns it at once.
  return (function* () {
    return first.value;
  })();
}
