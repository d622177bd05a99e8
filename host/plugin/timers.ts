/** Timers owned by one plugin instance; `clearAll()` runs on teardown so none outlives it. */
export class Timers {
  #handles = new Set<NodeJS.Timeout>();

  setInterval(fn: () => void, ms: number): NodeJS.Timeout {
    const h = setInterval(fn, ms);
    this.#handles.add(h);
    return h;
  }

  setTimeout(fn: () => void, ms: number): NodeJS.Timeout {
    const h = setTimeout(() => {
      this.#handles.delete(h);
      fn();
    }, ms);
    this.#handles.add(h);
    return h;
  }

  clear(h: NodeJS.Timeout): void {
    clearTimeout(h);
    this.#handles.delete(h);
  }

  clearAll(): void {
    for (const h of this.#handles) clearTimeout(h);
    this.#handles.clear();
  }

  get size(): number {
    return this.#handles.size;
  }
}
