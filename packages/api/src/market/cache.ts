/**
 * A small in-memory cache for hot upstream answers, with in-flight coalescing: identical calls made while
 * one is running share its promise (one upstream request), and a success is kept for `ttlMs`. Failures
 * are never cached. A caller's AbortSignal only stops its own wait, not the shared request.
 */
export class TtlCache {
  private readonly values = new Map<string, { value: unknown; expires: number }>();
  private readonly inflight = new Map<string, Promise<unknown>>();
  constructor(
    private readonly maxEntries = 500,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * `staleMs`: for that long after expiry the old value is still answered at once while one refresh runs
   * in the background (a slow load then never makes every waiting caller wait).
   */
  async get<T>(key: string, ttlMs: number, load: () => Promise<T>, signal?: AbortSignal, staleMs = 0): Promise<T> {
    const hit = this.values.get(key);
    const now = this.now();
    if (hit && hit.expires > now) return hit.value as T;
    if (hit && hit.expires + staleMs > now) {
      if (!this.inflight.has(key)) void this.get(key, ttlMs, load).catch(() => {});
      return hit.value as T;
    }
    let pending = this.inflight.get(key) as Promise<T> | undefined;
    if (!pending) {
      pending = load().then(
        (value) => {
          this.inflight.delete(key);
          if (ttlMs > 0) this.set(key, value, ttlMs);
          return value;
        },
        (err: unknown) => {
          this.inflight.delete(key);
          throw err;
        },
      );
      this.inflight.set(key, pending);
    }
    if (!signal) return pending;
    signal.throwIfAborted();
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      pending.then(
        (v) => (signal.removeEventListener("abort", onAbort), resolve(v)),
        (e: unknown) => (signal.removeEventListener("abort", onAbort), reject(e)),
      );
    });
  }

  clear(): void {
    this.values.clear();
  }

  private set(key: string, value: unknown, ttlMs: number): void {
    if (this.values.size >= this.maxEntries) {
      // drop the oldest entry (Map keeps insertion order)
      const first = this.values.keys().next();
      if (!first.done) this.values.delete(first.value);
    }
    this.values.set(key, { value, expires: this.now() + ttlMs });
  }
}
