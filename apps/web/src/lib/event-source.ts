/**
 * The browser's EventSource reconnects by itself, every tab after the same fixed delay: after a server
 * restart that is a reconnect storm. This one turns a dropped connection into an error instead, so the
 * tRPC retryLink comes back with jittered exponential backoff (and the last event id, so nothing is lost).
 */
export class NoAutoReconnectEventSource extends EventSource {
  constructor(url: string | URL, init?: EventSourceInit) {
    super(url, init);
    // registered first, so tRPC's own error listener already sees CLOSED
    this.addEventListener("error", () => {
      if (this.readyState === this.CONNECTING) this.close();
    });
  }
}

/** 0.5 s, 1 s, 2 s … capped at 30 s, each with full jitter in [d/2, d]. */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000, 500 * 2 ** Math.min(Math.max(attempt - 1, 0), 6));
  return Math.round(base / 2 + random() * (base / 2));
}
