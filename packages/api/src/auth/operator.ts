/**
 * Operator control of accounts (`pnpm cli users ...`). Disabling an account refuses its logins and ends
 * its sessions at once on every instance (the revocation is published, so open streams close too).
 */
import { asc, count, eq, gt, sql } from "drizzle-orm";
import { sessions, users } from "@ucie/db";
import type { Services } from "../services";
import { tryWriteAuthLog } from "./audit";
import { publishSessionsRevoked } from "./revocation";
import { invalidateUserSessions } from "./session";

const OPERATOR = { ip: null, userAgent: "ucie cli" };

export interface UserListing {
  id: string;
  email: string;
  emailVerified: boolean;
  createdAt: Date;
  disabledAt: Date | null;
  twoFactor: boolean;
  activeSessions: number;
}

export async function listUsers(services: Services): Promise<UserListing[]> {
  const active = services.db
    .select({ userId: sessions.userId, n: count().as("n") })
    .from(sessions)
    .where(gt(sessions.expiresAt, services.clock.now()))
    .groupBy(sessions.userId)
    .as("active");
  const rows = await services.db
    .select({
      id: users.id,
      email: users.email,
      emailVerified: users.emailVerified,
      createdAt: users.createdAt,
      disabledAt: users.disabledAt,
      totpEnabledAt: users.totpEnabledAt,
      activeSessions: sql<number>`coalesce(${active.n}, 0)::int`,
    })
    .from(users)
    .leftJoin(active, eq(active.userId, users.id))
    .orderBy(asc(users.createdAt));
  return rows.map(({ totpEnabledAt, ...r }) => ({ ...r, twoFactor: totpEnabledAt !== null, activeSessions: Number(r.activeSessions) }));
}

export type OperatorResult = { ok: true; sessionsEnded: number } | { ok: false; reason: "unknown" };

async function endSessions(services: Services, userId: string, reason: "disabled" | "revoked"): Promise<number> {
  const ids = await invalidateUserSessions(services.db, userId);
  await publishSessionsRevoked(services, { userId, sessionIds: ids, reason });
  return ids.length;
}

/** Disable (or re-enable) an account by e-mail; disabling also ends every session of it. */
export async function setUserDisabled(services: Services, email: string, disabled: boolean): Promise<OperatorResult> {
  const now = services.clock.now();
  const [user] = await services.db
    .update(users)
    .set({ disabledAt: disabled ? now : null, updatedAt: now })
    .where(eq(users.email, email.trim().toLowerCase()))
    .returning({ id: users.id });
  if (!user) return { ok: false, reason: "unknown" };
  // after the update: a login racing with this one now fails, and no session made before it survives
  const sessionsEnded = disabled ? await endSessions(services, user.id, "disabled") : 0;
  await tryWriteAuthLog(services, OPERATOR, {
    type: disabled ? "account_disabled" : "account_enabled",
    userId: user.id,
    success: true,
    reason: "by an operator",
  });
  return { ok: true, sessionsEnded };
}

/** End every session of an account (it stays usable: the owner logs in again). */
export async function endUserSessions(services: Services, email: string): Promise<OperatorResult> {
  const [user] = await services.db.select({ id: users.id }).from(users).where(eq(users.email, email.trim().toLowerCase())).limit(1);
  if (!user) return { ok: false, reason: "unknown" };
  const sessionsEnded = await endSessions(services, user.id, "revoked");
  await tryWriteAuthLog(services, OPERATOR, {
    type: "session_revoked",
    userId: user.id,
    success: true,
    reason: `all sessions, by an operator (${sessionsEnded})`,
  });
  return { ok: true, sessionsEnded };
}
