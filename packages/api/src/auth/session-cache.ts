/**
 * A short-lived, in-process cache of validated sessions, keyed by token hash, so that most requests do
 * not touch the database to know who is calling. An entry lives at most CACHE_TTL_MS and never past
 * the session's expiry; revocations evict entries on every instance through the EventBus (see
 * revocation.ts), so a logged-out cookie stops working everywhere at once.
 *
 * One cache per Services (`services.caches.sessions`, that is, per server instance), so tests that build
 * many services do not share state; revocation.ts feeds it evictions.
 */
import type { SessionUser, ValidSession } from "./session-types";

export const CACHE_TTL_MS = 30_000;
const MAX_ENTRIES = 10_000;

interface Entry {
  session: ValidSession;
  user: SessionUser;
  /** epoch ms (services.clock) after which the entry is not used */
  until: number;
}

export class SessionCache {
  private byHash = new Map<string, Entry>();
  private hashById = new Map<string, string>();
  /**
   * Bumped by every eviction. A validation that read the database before an eviction must not cache its
   * (possibly revoked) result: callers pass the generation they saw before the read.
   */
  generation = 0;
  /** true once this instance listens for revocations (set by revocation.ts); caching waits for it */
  listening: Promise<boolean> | undefined;

  get(tokenHash: string, now: number): Entry | null {
    const e = this.byHash.get(tokenHash);
    if (!e) return null;
    if (now >= e.until) {
      this.delete(tokenHash);
      return null;
    }
    return e;
  }

  set(tokenHash: string, session: ValidSession, user: SessionUser, now: number, generation = this.generation): void {
    if (generation !== this.generation) return;
    const until = Math.min(now + CACHE_TTL_MS, session.expiresAt.getTime());
    if (until <= now) return;
    if (this.byHash.size >= MAX_ENTRIES) {
      // drop the oldest insertion: Map keeps insertion order
      const oldest = this.byHash.keys().next().value;
      if (oldest !== undefined) this.delete(oldest);
    }
    this.byHash.delete(tokenHash);
    this.byHash.set(tokenHash, { session, user, until });
    this.hashById.set(session.id, tokenHash);
  }

  delete(tokenHash: string): void {
    const e = this.byHash.get(tokenHash);
    if (!e) return;
    this.byHash.delete(tokenHash);
    if (this.hashById.get(e.session.id) === tokenHash) this.hashById.delete(e.session.id);
  }

  evictSessions(sessionIds: Iterable<string>): void {
    this.generation++;
    for (const id of sessionIds) {
      const hash = this.hashById.get(id);
      if (hash) this.delete(hash);
    }
  }

  clear(): void {
    this.generation++;
    this.byHash.clear();
    this.hashById.clear();
  }

  get size(): number {
    return this.byHash.size;
  }
}
