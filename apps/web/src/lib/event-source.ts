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
