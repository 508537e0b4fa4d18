/**
 * Single flight: callers asking for the same key while a call is running share its promise, so any
 * number of concurrent requests for one coin cause one upstream fetch. In-process only; the analysis
 * cache (written before the flight ends) covers callers that come later and other instances.
 */
export class SingleFlight {
  readonly #inflight = new Map<string, Promise<unknown>>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const running = this.#inflight.get(key);
    if (running) return running as Promise<T>;
    const p = (async () => {
      try {
        return await fn();
      } finally {
        this.#inflight.delete(key);
      }
    })();
    this.#inflight.set(key, p);
    return p;
  }

  get size(): number {
    return this.#inflight.size;
  }
}
