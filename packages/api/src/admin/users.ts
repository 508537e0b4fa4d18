/**
 * The admin's view of accounts: a searchable, paginated list and the actions on one account. Removing
 * an admin (demote, disable, delete) runs under the admins lock (auth/roles.ts) and is refused when it
 * would leave no active admin, so two admins removing each other at once cannot both succeed.
 */
import { and, count, desc, eq, gt, ilike, isNull, max, sql } from "drizzle-orm";
import { authLogs, sessions, users, type UserRole } from "@ucie/db";
import { publishSessionsRevoked } from "../auth/revocation";
import { changeRole, lockAdmins, otherActiveAdmins } from "../auth/roles";
import { invalidateUserSessions } from "../auth/session";
import type { Services } from "../services";
import { logAdminAction, type AdminActor } from "./audit";
import { afterCursor, toPage, type Cursor, type Page } from "./cursor";

export interface AdminUserRow {
  id: string;
  email: string;
  role: UserRole;
  emailVerified: boolean;
  twoFactor: boolean;
  disabledAt: Date | null;
  createdAt: Date;
  lastLoginAt: Date | null;
  activeSessions: number;
}

export async function listAdminUsers(
  services: Services,
  input: { cursor?: Cursor | undefined; limit: number; search?: string | undefined },
): Promise<Page<AdminUserRow>> {
  const { db, clock } = services;
  const active = db
    .select({ userId: sessions.userId, n: count().as("n") })
    .from(sessions)
    .where(gt(sessions.expiresAt, clock.now()))
    .groupBy(sessions.userId)
    .as("active");
  const logins = db
    .select({ userId: authLogs.userId, at: max(authLogs.timestamp).as("at") })
    .from(authLogs)
    .where(and(eq(authLogs.eventType, "login"), eq(authLogs.success, true)))
    .groupBy(authLogs.userId)
    .as("logins");
  // LIKE wildcards in the search are literal: "a_b" finds "a_b", not "axb"
  const pattern = input.search ? `%${input.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const rows = await db
    .select({
      id: users.id,
      email: users.email,
      role: users.role,
      emailVerified: users.emailVerified,
      totpEnabledAt: users.totpEnabledAt,
      disabledAt: users.disabledAt,
      createdAt: users.createdAt,
      lastLoginAt: logins.at,
      activeSessions: sql<number>`coalesce(${active.n}, 0)::int`,
    })
    .from(users)
    .leftJoin(active, eq(active.userId, users.id))
    .leftJoin(logins, eq(logins.userId, users.id))
    .where(and(pattern ? ilike(users.email, pattern) : undefined, afterCursor(input.cursor, users.createdAt, users.id)))
    .orderBy(desc(users.createdAt), desc(users.id))
    .limit(input.limit + 1);
  const mapped = rows.map(({ totpEnabledAt, lastLoginAt, ...r }) => ({
    ...r,
    twoFactor: totpEnabledAt !== null,
    lastLoginAt: lastLoginAt ? new Date(lastLoginAt) : null,
    activeSessions: Number(r.activeSessions),
  }));
  return toPage(mapped, input.limit, (r) => ({ at: r.createdAt, id: r.id }));
}

export type AdminUserResult = { ok: true; sessionsEnded?: number } | { ok: false; reason: "unknown" | "last-admin" | "confirmation" };

async function endSessions(services: Services, userId: string, reason: "disabled" | "revoked"): Promise<number> {
  const ids = await invalidateUserSessions(services.db, userId);
  await publishSessionsRevoked(services, { userId, sessionIds: ids, reason });
  return ids.length;
}

export async function adminSetDisabled(services: Services, actor: AdminActor, userId: string, disabled: boolean): Promise<AdminUserResult> {
  const now = services.clock.now();
  const outcome = await services.db.transaction(async (tx) => {
    if (disabled) await lockAdmins(tx);
    const [user] = await tx.select({ role: users.role }).from(users).where(eq(users.id, userId)).limit(1).for("update");
    if (!user) return "unknown" as const;
    if (disabled && user.role === "admin" && (await otherActiveAdmins(tx, userId)) === 0) return "last-admin" as const;
    await tx
      .update(users)
      .set({ disabledAt: disabled ? now : null, updatedAt: now })
      .where(eq(users.id, userId));
    await logAdminAction(tx, services, actor, disabled ? "admin_user_disabled" : "admin_user_enabled", { userId });
    return "ok" as const;
  });
  if (outcome !== "ok") return { ok: false, reason: outcome };
  // after the commit: a login racing with this one now fails, and no session made before it survives
  return { ok: true, sessionsEnded: disabled ? await endSessions(services, userId, "disabled") : 0 };
}

export async function adminEndSessions(services: Services, actor: AdminActor, userId: string): Promise<AdminUserResult> {
  const [user] = await services.db.select({ id: users.id }).from(users).where(eq(users.id, userId)).limit(1);
  if (!user) return { ok: false, reason: "unknown" };
  const sessionsEnded = await endSessions(services, userId, "revoked");
  await logAdminAction(services.db, services, actor, "admin_sessions_ended", { userId, reason: `${sessionsEnded} sessions` });
  return { ok: true, sessionsEnded };
}

/** Delete an account; `confirmEmail` must be its e-mail address, typed by the admin. */
export async function adminDeleteUser(
  services: Services,
  actor: AdminActor,
  userId: string,
  confirmEmail: string,
): Promise<AdminUserResult> {
  const outcome = await services.db.transaction(async (tx) => {
    await lockAdmins(tx);
    const [user] = await tx.select({ email: users.email, role: users.role }).from(users).where(eq(users.id, userId)).limit(1).for("update");
    if (!user) return { reason: "unknown" as const };
    if (user.email !== confirmEmail) return { reason: "confirmation" as const };
    if (user.role === "admin" && (await otherActiveAdmins(tx, userId)) === 0) return { reason: "last-admin" as const };
    const ids = await tx.select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, userId));
    // written before the delete: the row keeps the user id until ON DELETE SET NULL clears it, like self-deletion
    await logAdminAction(tx, services, actor, "admin_user_deleted", { userId });
    await tx.delete(users).where(eq(users.id, userId));
    return { reason: null, sessionIds: ids.map((r) => r.id) };
  });
  if (outcome.reason) return { ok: false, reason: outcome.reason };
  await publishSessionsRevoked(services, { userId, sessionIds: outcome.sessionIds ?? [], reason: "account_deleted" });
  return { ok: true };
}

export async function adminSetRole(services: Services, actor: AdminActor, userId: string, role: UserRole): Promise<AdminUserResult> {
  const result = await changeRole(services.db, { id: userId }, role, services.clock.now());
  if (!result.ok) return result;
  if (result.changed)
    await logAdminAction(services.db, services, actor, role === "admin" ? "admin_user_promoted" : "admin_user_demoted", { userId });
  return { ok: true };
}

/** Accounts that are admins and not disabled (the health of the "last admin" rule, and tests). */
export async function activeAdminCount(services: Services): Promise<number> {
  const [row] = await services.db
    .select({ n: count() })
    .from(users)
    .where(and(eq(users.role, "admin"), isNull(users.disabledAt)));
  return row?.n ?? 0;
}
