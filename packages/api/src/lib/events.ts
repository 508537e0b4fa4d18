/**
 * Live events across server instances: publish goes through Postgres NOTIFY (or PGlite's, in one
 * process), and every instance LISTENs once per channel and fans out to its local subscribers.
 * Payloads are small JSON (ids); subscribers load the row they need.
 */
import type { Database } from "@ucie/db";

type Handler = (payload: unknown) => void;

export class EventBus {
  private handlers = new Map<string, Set<Handler>>();
  private listening = new Map<string, Promise<() => Promise<void>>>();

  constructor(private readonly database: Database) {}

  async publish(channel: string, payload: unknown): Promise<void> {
    await this.database.notify(channel, JSON.stringify(payload));
  }

  /** Subscribe before reading any backlog, so nothing falls between the two. */
  async subscribe(channel: string, handler: Handler): Promise<() => void> {
    let set = this.handlers.get(channel);
    if (!set) {
      set = new Set();
      this.handlers.set(channel, set);
    }
    set.add(handler);
    if (!this.listening.has(channel)) {
      const fanOut = (raw: string) => {
        let payload: unknown;
        try {
          payload = JSON.parse(raw);
        } catch {
          return;
        }
        for (const h of this.handlers.get(channel) ?? []) h(payload);
      };
      const p = this.database.listen(channel, fanOut);
      this.listening.set(channel, p);
      p.catch(() => this.listening.delete(channel));
    }
    await this.listening.get(channel);
    return () => {
      set.delete(handler);
    };
  }

  async close(): Promise<void> {
    const stops = [...this.listening.values()];
    this.listening.clear();
    this.handlers.clear();
    await Promise.allSettled(stops.map(async (p) => (await p)()));
  }
}
