/**
 * What a signed-in user does to their own account: change the password, delete the account, take a
 * copy of their data. Each asks for the password again (throttled per account, so a stolen session
 * cannot guess it), and each ends sessions through revocation.ts so streams close on every instance.
 */
import { currentRole, lockAdmins, otherActiveAdmins } from "./roles";
import { and, desc, eq, getTableColumns, isNull, ne } from "drizzle-orm";
import type { PgColumn, PgSelect } from "drizzle-orm/pg-core";
import {
  authLogs,
  notificationChannels,
  notificationDeliveries,
  passwordResetTokens,
  personalAccessTokens,
  pushSubscriptions,
  sessions,
  ucieAlerts,
  ucieAlertTriggers,
  ucieWatchlist,
  users,
} from "@ucie/db";
import type { RequestMeta } from "../lib/request-meta";
import type { Services } from "../services";
import { TOKEN_VIEW_COLUMNS } from "./access-tokens";
import { tryWriteAuthLog, writeAuthLog } from "./audit";
import { hashPassword, verifyPasswordHash } from "./password";
import { publishSessionsRevoked } from "./revocation";
import { hitThrottle, type ThrottleRule } from "./throttle";

/** Re-entering the password inside a session: as many tries as a login, per account. */
export const REAUTH_RULE: ThrottleRule = { name: "reauth:account", limit: 10, windowMs: 15 * 60_000 };

export type PasswordCheck = { ok: true } | { ok: false; reason: "wrong" } | { ok: false; reason: "throttled"; retryAfterSeconds: number };

/** Check the signed-in user's password again before a sensitive change. */
export async function confirmPassword(services: Services, userId: string, password: string): Promise<PasswordCheck> {
  const throttle = await hitThrottle(services.db, REAUTH_RULE, userId, services.clock.now());
  if (!throttle.allowed) return { ok: false, reason: "throttled", retryAfterSeconds: throttle.retryAfterSeconds };
  const [user] = await services.db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, userId)).limit(1);
  if (!user || !(await verifyPasswordHash(user.passwordHash, password))) return { ok: false, reason: "wrong" };
  return { ok: true };
}

/**
 * Set a new password and end every other session of the account (ASVS 6.2.3, 7.4.3); the session that
 * asked stays. Outstanding reset links die too: they were sent for the old password.
 */
export async function changePassword(
  services: Services,
  input: { userId: string; keepSessionId: string; currentPassword: string; newPassword: string },
  meta: RequestMeta,
): Promise<PasswordCheck & { ended?: number }> {
  const check = await confirmPassword(services, input.userId, input.currentPassword);
  if (!check.ok) {
    if (check.reason === "wrong") {
      await tryWriteAuthLog(services, meta, {
        type: "password_changed",
        userId: input.userId,
        success: false,
        reason: "wrong current password",
      });
    }
    return check;
  }
  const passwordHash = await hashPassword(input.newPassword);
  const now = services.clock.now();
  const ended = await services.db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash, updatedAt: now }).where(eq(users.id, input.userId));
    await tx
      .update(passwordResetTokens)
      .set({ usedAt: now })
      .where(and(eq(passwordResetTokens.userId, input.userId), isNull(passwordResetTokens.usedAt)));
    const gone = await tx
      .delete(sessions)
      .where(and(eq(sessions.userId, input.userId), ne(sessions.id, input.keepSessionId)))
      .returning({ id: sessions.id });
    await writeAuthLog(tx, services, meta, { type: "password_changed", userId: input.userId, success: true });
    return gone.map((r) => r.id);
  });
  await publishSessionsRevoked(services, { userId: input.userId, sessionIds: ended, reason: "password_changed" });
  return { ok: true, ended: ended.length };
}

/**
 * Delete the account. The schema's cascades remove sessions, watchlist, alerts and their history; the
 * audit trail stays, its user_id set to NULL (the row saying the account was deleted included).
 */
export async function deleteAccount(
  services: Services,
  input: { userId: string; password: string },
  meta: RequestMeta,
): Promise<PasswordCheck | { ok: false; reason: "last-admin" }> {
  const check = await confirmPassword(services, input.userId, input.password);
  if (!check.ok) {
    if (check.reason === "wrong") {
      await tryWriteAuthLog(services, meta, { type: "account_deleted", userId: input.userId, success: false, reason: "wrong password" });
    }
    return check;
  }
  const sessionIds = await services.db.transaction(async (tx) => {
    // the last admin cannot leave: the admin area would have no one to run it (same lock as every role change)
    await lockAdmins(tx);
    if ((await currentRole(tx, input.userId)) === "admin" && (await otherActiveAdmins(tx, input.userId)) === 0) return null;
    const ids = await tx.select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, input.userId));
    await writeAuthLog(tx, services, meta, { type: "account_deleted", userId: input.userId, success: true });
    await tx.delete(users).where(eq(users.id, input.userId));
    return ids.map((r) => r.id);
  });
  if (!sessionIds) return { ok: false, reason: "last-admin" };
  await publishSessionsRevoked(services, { userId: input.userId, sessionIds, reason: "account_deleted" });
  return { ok: true };
}

/** The most rows of one kind an export carries (auth logs are kept 90 days, so this is rarely reached). */
const EXPORT_ROW_LIMIT = 10_000;

/** A query narrowed to the user's rows, newest first, at most EXPORT_ROW_LIMIT (drizzle's dynamic query building). */
function newestOf<Q extends PgSelect>(query: Q, owner: PgColumn, userId: string, newest: PgColumn) {
  return query.where(eq(owner, userId)).orderBy(desc(newest)).limit(EXPORT_ROW_LIMIT);
}

/** An address without its path or query, which may hold a token (a Discord webhook's does). */
const originOf = (url: string) => {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
};

/**
 * Everything the account holds, as one document: no password hash, no token hash, no TOTP secret, no
 * webhook signing secret, no push subscription keys, and addresses without their path (which may hold a token).
 */
export async function exportAccountData(services: Services, userId: string, meta: RequestMeta) {
  const { db } = services;
  const [user] = await db
    .select({
      id: users.id,
      email: users.email,
      emailVerified: users.emailVerified,
      createdAt: users.createdAt,
      updatedAt: users.updatedAt,
      twoFactorEnabledAt: users.totpEnabledAt,
    })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  const [sessionRows, watchlist, alerts, alertTriggers, logs, accessTokens, webhooks, browsers, deliveries] = await Promise.all([
    newestOf(
      db
        .select({
          id: sessions.id,
          createdAt: sessions.createdAt,
          expiresAt: sessions.expiresAt,
          ipAddress: sessions.ipAddress,
          userAgent: sessions.userAgent,
        })
        .from(sessions)
        .$dynamic(),
      sessions.userId,
      userId,
      sessions.createdAt,
    ),
    newestOf(db.select(getTableColumns(ucieWatchlist)).from(ucieWatchlist).$dynamic(), ucieWatchlist.userId, userId, ucieWatchlist.addedAt),
    newestOf(db.select(getTableColumns(ucieAlerts)).from(ucieAlerts).$dynamic(), ucieAlerts.userId, userId, ucieAlerts.createdAt),
    newestOf(
      db.select(getTableColumns(ucieAlertTriggers)).from(ucieAlertTriggers).$dynamic(),
      ucieAlertTriggers.userId,
      userId,
      ucieAlertTriggers.triggeredAt,
    ),
    newestOf(
      db
        .select({
          id: authLogs.id,
          eventType: authLogs.eventType,
          success: authLogs.success,
          reason: authLogs.errorMessage,
          ipAddress: authLogs.ipAddress,
          userAgent: authLogs.userAgent,
          timestamp: authLogs.timestamp,
        })
        .from(authLogs)
        .$dynamic(),
      authLogs.userId,
      userId,
      authLogs.timestamp,
    ),
    // what each token was and did, never its hash
    newestOf(
      db
        .select({ ...TOKEN_VIEW_COLUMNS, revokedAt: personalAccessTokens.revokedAt })
        .from(personalAccessTokens)
        .$dynamic(),
      personalAccessTokens.userId,
      userId,
      personalAccessTokens.createdAt,
    ),
    // never the signing secret
    newestOf(
      db
        .select({
          id: notificationChannels.id,
          name: notificationChannels.name,
          url: notificationChannels.url,
          format: notificationChannels.format,
          enabled: notificationChannels.enabled,
          disabledReason: notificationChannels.disabledReason,
          createdAt: notificationChannels.createdAt,
        })
        .from(notificationChannels)
        .$dynamic(),
      notificationChannels.userId,
      userId,
      notificationChannels.createdAt,
    ),
    // never the subscription's keys
    newestOf(
      db
        .select({ id: pushSubscriptions.id, endpoint: pushSubscriptions.endpoint, createdAt: pushSubscriptions.createdAt })
        .from(pushSubscriptions)
        .$dynamic(),
      pushSubscriptions.userId,
      userId,
      pushSubscriptions.createdAt,
    ),
    newestOf(
      db
        .select({
          id: notificationDeliveries.id,
          kind: notificationDeliveries.kind,
          channelId: notificationDeliveries.channelId,
          alertId: notificationDeliveries.alertId,
          status: notificationDeliveries.status,
          attempts: notificationDeliveries.attempts,
          lastError: notificationDeliveries.lastError,
          createdAt: notificationDeliveries.createdAt,
          deliveredAt: notificationDeliveries.deliveredAt,
        })
        .from(notificationDeliveries)
        .$dynamic(),
      notificationDeliveries.userId,
      userId,
      notificationDeliveries.createdAt,
    ),
  ]);
  await tryWriteAuthLog(services, meta, { type: "data_exported", userId, success: true });
  return {
    exportedAt: services.clock.now(),
    user: user ?? null,
    sessions: sessionRows,
    watchlist,
    alerts,
    alertTriggers,
    authLogs: logs,
    accessTokens,
    notificationChannels: [
      { id: "email", kind: "email" as const, target: user?.email ?? null },
      ...browsers.map((b) => ({ id: b.id, kind: "push" as const, target: originOf(b.endpoint), createdAt: b.createdAt })),
      ...webhooks.map(({ url, ...w }) => ({ ...w, kind: "webhook" as const, target: originOf(url) })),
    ],
    notificationDeliveries: deliveries,
  };
}
