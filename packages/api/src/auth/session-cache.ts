/**
 * A short-lived, in-process cache of validated sessions, keyed by token hash, so that most requests do
 * not touch the database to know who is calling. An entry lives at most CACHE_TTL_MS and never past
 * the session's expiry; revocations evict entries on every instance through the EventBus (see
 * revocation.ts), so a logged-out cookie stops working everywhere at once.
 *
 * One cache per EventBus (that is, per server instance), held in a WeakMap so Services stays a plain
 * object and tests that build many services do not share state.
 */
import type { EventBus } from "../lib/events";
import type { Services } from "../services";
import { SESSION_REVOKED_CHANNEL } from "./revocation";
import type { SessionUser, ValidSession } from "./session";

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

interface Slot {
  cache: SessionCache;
  /** resolves to true once this instance listens for revocations; caching waits for it */
  ready: Promise<boolean>;
}

const slots = new WeakMap<EventBus, Slot>();

function slotFor(services: Services): Slot {
  let slot = slots.get(services.events);
  if (!slot) {
    const cache = new SessionCache();
    const ready = services.events
      .subscribe(SESSION_REVOKED_CHANNEL, (payload) => {
        const ids = (payload as { sessionIds?: unknown } | null)?.sessionIds;
        if (Array.isArray(ids)) cache.evictSessions(ids.filter((x): x is string => typeof x === "string"));
      })
      .then(
        () => true,
        (err) => {
          // without the revocation feed a cached session could outlive its logout on another instance
          services.logger.warn({ err }, "session cache disabled: cannot listen for revocations");
          return false;
        },
      );
    slot = { cache, ready };
    slots.set(services.events, slot);
  }
  return slot;
}

/** The cache of this instance, or null while (or if) it cannot hear revocations. */
export async function sessionCacheFor(services: Services): Promise<SessionCache | null> {
  const slot = slotFor(services);
  return (await slot.ready) ? slot.cache : null;
}

/** Forget these sessions on this instance now (revocation.ts also tells the others). */
export function evictCachedSessions(services: Services, sessionIds: string[]): void {
  slots.get(services.events)?.cache.evictSessions(sessionIds);
}
