/**
 * Session revocation reaches every server instance at once. Logout, revokeSession, password reset and
 * change, account deletion, an operator's disable or end-sessions, and session expiry publish the ended
 * session ids on the EventBus (Postgres NOTIFY); every instance evicts
 * them from its session cache, and long-lived streams end through `watchSession`.
 *
 * Usage in a subscription:
 *   const watch = await watchSession(ctx.services, ctx.session.id);
 *   try { ... stop when watch.signal.aborted (or pass it on) ... } finally { watch.stop(); }
 */
import { eq } from "drizzle-orm";
import { sessions } from "@ucie/db";
import type { Services } from "../services";
import type { SessionCache } from "./session-cache";

export const SESSION_REVOKED_CHANNEL = "ucie_session_revoked";

export type RevocationReason = "logout" | "revoked" | "password_reset" | "password_changed" | "account_deleted" | "disabled" | "expired";

export interface SessionsRevokedEvent {
  userId: string;
  sessionIds: string[];
  reason: RevocationReason;
}

/** NOTIFY payloads are capped at 8000 bytes: a uuid costs about 40, so send ids in chunks. */
const IDS_PER_MESSAGE = 100;

export function isSessionsRevokedEvent(p: unknown): p is SessionsRevokedEvent {
  const e = p as SessionsRevokedEvent | null;
  return !!e && typeof e === "object" && typeof e.userId === "string" && Array.isArray(e.sessionIds);
}

/** Tell every instance (this one included) that these sessions have ended. */
export async function publishSessionsRevoked(services: Services, event: SessionsRevokedEvent): Promise<void> {
  if (event.sessionIds.length === 0) return;
  // this instance forgets them before the call returns; the others as soon as the NOTIFY arrives
  services.caches.sessions.evictSessions(event.sessionIds);
  for (let i = 0; i < event.sessionIds.length; i += IDS_PER_MESSAGE) {
    const sessionIds = event.sessionIds.slice(i, i + IDS_PER_MESSAGE);
    try {
      await services.events.publish(SESSION_REVOKED_CHANNEL, { ...event, sessionIds });
    } catch (err) {
      // the row is already gone, so other instances stop trusting the token within the cache TTL anyway
      services.logger.warn({ err }, "could not publish a session revocation");
    }
  }
}

/** This instance's session cache, or null while (or if) it cannot hear revocations from the other instances. */
export async function sessionCacheFor(services: Services): Promise<SessionCache | null> {
  const cache = services.caches.sessions;
  cache.listening ??= services.events
    .subscribe(SESSION_REVOKED_CHANNEL, (payload) => {
      if (isSessionsRevokedEvent(payload)) cache.evictSessions(payload.sessionIds.filter((x): x is string => typeof x === "string"));
    })
    .then(
      () => true,
      (err: unknown) => {
        // without the revocation feed a cached session could outlive its logout on another instance
        services.logger.warn({ err }, "session cache disabled: cannot listen for revocations");
        return false;
      },
    );
  return (await cache.listening) ? cache : null;
}

/** Thrown (as `signal.reason`) when a watched session ends. */
export class SessionEndedError extends Error {
  constructor(readonly reason: RevocationReason | "missing") {
    super(reason === "missing" ? "The session no longer exists." : `The session ended (${reason}).`);
    this.name = "SessionEndedError";
  }
}

export interface SessionWatch {
  /** aborts when the session is revoked, logged out, reset away or expires */
  signal: AbortSignal;
  /** stop watching (call it when the stream ends on its own) */
  stop(): void;
}

/** Longest a timer may wait (setTimeout overflows past 2^31-1 ms). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Watch one session: the returned signal aborts the moment it is revoked on any instance, or when it
 * passes its expiry (re-read at that time, since activity may have slid it forward). Subscribes before
 * checking that the session still exists, so a revocation in between is not missed.
 */
export async function watchSession(services: Services, sessionId: string): Promise<SessionWatch> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;

  const stop = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    unsubscribe?.();
    unsubscribe = undefined;
  };
  const end = (reason: RevocationReason | "missing") => {
    if (controller.signal.aborted) return;
    stop();
    controller.abort(new SessionEndedError(reason));
  };

  unsubscribe = await services.events.subscribe(SESSION_REVOKED_CHANNEL, (payload) => {
    if (isSessionsRevokedEvent(payload) && payload.sessionIds.includes(sessionId)) end(payload.reason);
  });

  const check = async (): Promise<void> => {
    if (controller.signal.aborted) return;
    const [row] = await services.db
      .select({ expiresAt: sessions.expiresAt, createdAt: sessions.createdAt })
      .from(sessions)
      .where(eq(sessions.id, sessionId))
      .limit(1);
    if (!row) return end("missing");
    const now = services.clock.now().getTime();
    const endsAt = Math.min(row.expiresAt.getTime(), row.createdAt.getTime() + services.sessionPolicy.absoluteLifetimeMs);
    if (now >= endsAt) return end("expired");
    if (controller.signal.aborted) return;
    timer = setTimeout(
      () => {
        check().catch((err) => services.logger.warn({ err }, "session watch check failed"));
      },
      Math.min(Math.max(endsAt - now, 1000), MAX_TIMER_MS),
    );
    timer.unref?.();
  };
  try {
    await check();
  } catch (err) {
    stop();
    throw err;
  }
  return { signal: controller.signal, stop };
}
