/**
 * The security audit trail: one `auth_logs` row per account event (ASVS 16.3.1), timestamped in UTC by
 * the service clock. Never given a password, token or access code: callers pass only the event, the
 * user id, the outcome and a fixed reason string.
 */
import { authLogs, type AuthEventType, type DbOrTx } from "@ucie/db";
import type { RequestMeta } from "../lib/request-meta";
import type { Services } from "../services";

export interface AuthEvent {
  type: AuthEventType;
  userId?: string | null;
  /** the admin who did it, for `admin_*` events */
  actorId?: string | null;
  success: boolean;
  /** a fixed, human-readable reason ("wrong password", "code already used"); never user input */
  reason?: string;
}

export async function writeAuthLog(db: DbOrTx, services: Pick<Services, "clock">, meta: RequestMeta, event: AuthEvent): Promise<void> {
  await db.insert(authLogs).values({
    userId: event.userId ?? null,
    actorId: event.actorId ?? null,
    eventType: event.type,
    ipAddress: meta.ip?.slice(0, 64) ?? null,
    userAgent: meta.userAgent?.slice(0, 512) ?? null,
    success: event.success,
    errorMessage: event.reason ?? null,
    timestamp: services.clock.now(),
  });
}

/** The same, for places where a failed audit write must not fail the user's request (it is logged instead). */
export async function tryWriteAuthLog(services: Services, meta: RequestMeta, event: AuthEvent): Promise<void> {
  try {
    await writeAuthLog(services.db, services, meta, event);
  } catch (err) {
    services.logger.error({ err, event: event.type }, "could not write auth log");
  }
}
